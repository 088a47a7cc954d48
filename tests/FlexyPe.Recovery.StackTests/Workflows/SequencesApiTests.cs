using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static FlexyPe.Recovery.StackTests.Workflows.WorkflowsApi;

namespace FlexyPe.Recovery.StackTests.Workflows;

[Collection(WorkflowsStackCollection.Name)]
public sealed class SequencesApiTests(WorkflowsStack stack) : IDisposable
{
    private readonly WorkflowsApi api = new(stack);
    private readonly NormalizedEvents events = new();

    private static readonly string[] PurchaseRule = ["purchase"];
    private static readonly string[] WelcomeRules = ["purchase_ends_discount_steps"];

    private static object Step(string delay, string subject, string template, string? discount = null)
        => new { delay, delay_from = "trigger", subject, template, discount_code = discount, enabled = true };

    [Fact]
    public async Task Defaults_are_seeded_as_editable_sequences_with_the_configured_delays()
    {
        var sequences = (await api.Http.GetFromJsonAsync<List<JsonObject>>("/api/sequences"))!;

        var checkout = Assert.Single(sequences, s => (string)s["key"]! == "abandoned-checkout");
        Assert.Equal("abandoned_checkout", (string)checkout["trigger"]!);
        Assert.Equal(["01:00:00", "03:00:00", "05:00:00"], checkout["steps"]!.AsArray().Select(s => (string)s!["delay"]!));
        Assert.Null((string?)checkout["steps"]![0]!["discount_code"]);
        Assert.Equal("COMEBACK10", (string)checkout["steps"]![2]!["discount_code"]!);
        var session = Assert.Single(sequences, s => (string)s["key"]! == "abandoned-session");
        Assert.Equal(["02:00:00", "04:00:00"], session["steps"]!.AsArray().Select(s => (string)s!["delay"]!));
        var welcome = Assert.Single(sequences, s => (string)s["key"]! == "welcome");
        Assert.Equal("new_customer", (string)welcome["trigger"]!);
        Assert.Equal(2, welcome["steps"]!.AsArray().Count);
    }

    [Fact]
    public async Task A_template_that_does_not_parse_is_refused_with_its_line_and_column()
    {
        var response = await api.Http.PostAsJsonAsync("/api/sequences", new
        {
            key = "broken", name = "Broken", trigger = "abandoned_checkout",
            steps = new[] { Step("01:00:00", "Hello", "<p>Hi</p>\n<p>{{ customer.first_name }}</p>\n{% for line in cart %}{{ line.title }") },
        }, Json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var error = Assert.Single(problem["template_errors"]!.AsArray())!;
        Assert.Equal(1, (int)error["step"]!);
        Assert.Equal("template", (string)error["field"]!);
        Assert.Equal(3, (int)error["line"]!);
        Assert.True((int)error["column"]! > 1);
        Assert.Contains("Line 3, column", (string)problem["errors"]!["steps[0].template"]![0]!);
        Assert.Equal(HttpStatusCode.NotFound, (await api.Http.GetAsync("/api/sequences/broken")).StatusCode);
    }

    [Fact]
    public async Task A_sequence_is_created_validated_and_listed()
    {
        var invalid = await api.Http.PostAsJsonAsync("/api/sequences", new { key = "Bad Key", name = "", trigger = "nope", steps = Array.Empty<object>() }, Json);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var errors = (await invalid.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.Equal(["key", "name", "steps", "trigger"], errors.Select(e => e.Key).Order());

        var created = await api.Http.PostAsJsonAsync("/api/sequences", new
        {
            key = "vip-checkout", name = "VIP checkout", trigger = "abandoned_checkout", enabled = false, exit_rules = PurchaseRule,
            steps = new[] { Step("00:30:00", "Hi {{ customer.first_name }}", "<p>{{ checkout_url }}</p>") },
        }, Json);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(1, (int)body["version"]!);
        Assert.False((bool)body["enabled"]!);

        var again = await api.Http.PostAsJsonAsync("/api/sequences", new
        {
            key = "vip-checkout", name = "VIP checkout", trigger = "abandoned_checkout", steps = new[] { Step("00:30:00", "Hi", "<p>x</p>") },
        }, Json);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var fetched = (await api.Http.GetFromJsonAsync<JsonObject>("/api/sequences/vip-checkout"))!;
        Assert.Equal("VIP checkout", (string)fetched["name"]!);
    }

    [Fact]
    public async Task Editing_a_sequence_leaves_in_flight_enrollments_on_their_version()
    {
        var before = NormalizedEvents.NewEmail();
        await api.PostEventAsync(events.NewCustomer(before));
        var oldEnrollment = (string)Assert.Single(await api.EnrollmentsAsync(events.StoreId, "welcome"))["id"]!;
        var current = (await api.Http.GetFromJsonAsync<JsonObject>("/api/sequences/welcome"))!;
        var oldVersion = (int)current["version"]!;

        // Same shape (other tests rely on it), new wording.
        var edit = await api.Http.PutAsJsonAsync("/api/sequences/welcome", new
        {
            name = "Welcome", trigger = "new_customer", exit_rules = WelcomeRules,
            steps = new[]
            {
                Step("00:00:00", "Edited welcome, {{ customer.first_name }}", "<p>Edited</p>"),
                Step("03:00:00", "Edited gift", "<p>Edited {{ discount_code }}</p>", "WELCOME10"),
            },
        }, Json);
        Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
        var newVersion = (int)(await edit.Content.ReadFromJsonAsync<JsonObject>())!["sequence"]!["version"]!;
        Assert.Equal(oldVersion + 1, newVersion);

        var after = NormalizedEvents.NewEmail();
        await api.PostEventAsync(events.NewCustomer(after));
        var newEnrollment = (string)(await api.EnrollmentsAsync(events.StoreId, "welcome")).Single(e => (string)e["email"]! == after)["id"]!;

        var oldTimeline = await api.WaitForAsync(oldEnrollment, t => Steps(t).All(s => State(s) != "scheduled"));
        var newTimeline = await api.WaitForAsync(newEnrollment, t => Steps(t).All(s => State(s) != "scheduled"));
        Assert.Equal(oldVersion, (int)oldTimeline["enrollment"]!["sequence_version"]!);
        Assert.Equal(newVersion, (int)newTimeline["enrollment"]!["sequence_version"]!);

        var oldGift = Assert.Single(await api.OutboxAsync($"enrollment:{oldEnrollment}:step:2"));
        var newGift = Assert.Single(await api.OutboxAsync($"enrollment:{newEnrollment}:step:2"));
        Assert.DoesNotContain("Edited", (string)oldGift.Payload["subject"]!);
        Assert.Equal("Edited gift", (string)newGift.Payload["subject"]!);
        var versions = (await api.Http.GetFromJsonAsync<List<JsonObject>>("/api/sequences/welcome/versions"))!;
        Assert.Equal(1, versions.Count(v => (bool)v["is_current"]!));
    }

    [Fact]
    public async Task A_marketer_can_migrate_in_flight_enrollments_to_the_new_version()
    {
        var email = NormalizedEvents.NewEmail();
        await api.PostEventAsync(events.AbandonedSession("sess-migrate", email));
        var id = (string)(await api.EnrollmentAsync(events.StoreId, "abandoned-session"))["id"]!;

        // Same shape (other tests rely on it), new wording, and the in-flight enrollments move along.
        var edit = await api.Http.PutAsJsonAsync("/api/sequences/abandoned-session", new
        {
            name = "Abandoned browsing session", migrate_enrollments = true,
            steps = new[] { Step("02:00:00", "Migrated first", "<p>1</p>"), Step("04:00:00", "Migrated second", "<p>2</p>") },
        }, Json);
        Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
        var added = (await edit.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True((int)added["migrated_enrollments"]! >= 1);

        var timeline = await api.WaitForAsync(id, t => Steps(t).All(s => State(s) != "scheduled"));
        Assert.Equal((int)added["sequence"]!["version"]!, (int)timeline["enrollment"]!["sequence_version"]!);
        var second = Assert.Single(await api.OutboxAsync($"enrollment:{id}:step:2"));
        Assert.Equal("Migrated second", (string)second.Payload["subject"]!);
    }

    [Fact]
    public async Task Preview_renders_a_step_against_a_stored_event_with_recently_viewed_products_and_escaped_values()
    {
        var email = NormalizedEvents.NewEmail();
        await api.PostEventAsync(events.ProductViewed(email, "Cool T-Shirt"));
        await api.PostEventAsync(events.CollectionViewed(email, "Summer Collection"));
        var acr = events.AbandonedCheckout("chk-preview", email, firstName: "<b>Jo</b>");
        await api.PostEventAsync(acr);
        await api.Http.PostAsJsonAsync("/api/sequences", new
        {
            key = "preview-only", name = "Preview", trigger = "abandoned_checkout", enabled = false,
            steps = new[] { Step("01:00:00", "For {{ customer.first_name }}", "<p>{{ customer.first_name }}</p>{% for p in recently_viewed.products %}<i>{{ p.title }}</i>{% endfor %}{% for c in recently_viewed.collections %}<u>{{ c.name }}</u>{% endfor %}{% for line in cart %}{{ line.title }} {{ line.quantity }}{% endfor %} {{ totals.total_payable }} {{ store_name }}") },
        }, Json);

        var response = await api.Http.PostAsJsonAsync("/api/sequences/preview-only/steps/1/preview",
            new { store_id = events.StoreId, event_id = (string)acr["event_id"]! }, Json);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var preview = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var html = (string)preview["html_body"]!;
        Assert.Contains("&lt;b&gt;Jo&lt;/b&gt;", html);
        Assert.DoesNotContain("<b>Jo</b>", html);
        Assert.Contains("<i>Cool T-Shirt</i>", html);
        Assert.Contains("<u>Summer Collection</u>", html);
        Assert.Contains("Multigrain Atta 1", html);
        Assert.Contains("630 My Awesome Store", html);
        Assert.Equal("For <b>Jo</b>", (string)preview["subject"]!);

        var sample = (await (await api.Http.PostAsJsonAsync("/api/sequences/abandoned-checkout/steps/1/preview", new { }, Json)).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("sample", (string)sample["source"]!);
        Assert.Contains("Multigrain Atta", (string)sample["html_body"]!);
    }

    [Fact]
    public async Task Test_send_hands_the_rendered_step_to_the_outbox()
    {
        var response = await api.Http.PostAsJsonAsync("/api/sequences/abandoned-checkout/steps/3/test-send", new { to = "marketer@example.com" }, Json);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var key = (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["idempotency_key"]!;
        var request = Assert.Single(await api.OutboxAsync(key));
        Assert.Equal("marketer@example.com", (string)request.Payload["to"]!);
        Assert.Contains("COMEBACK10", (string)request.Payload["html_body"]!);
        Assert.Equal("true", (string)request.Payload["tags"]!["test"]!);
    }

    [Theory]
    [InlineData("/internal/events", null)]
    [InlineData("/internal/events/batch", "wrong-key")]
    [InlineData("/internal/delivery-events", "wrong-key")]
    [InlineData("/api/sequences", "wrong-key")]
    public async Task Internal_and_operator_endpoints_refuse_a_missing_or_wrong_admin_key(string path, string? key)
    {
        using var http = stack.CreateHttpClient("workflows");
        if (key is not null)
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }
        var response = await http.PostAsync(path, new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Stats_count_enrolled_sent_and_recovered_revenue_per_sequence_and_step()
    {
        var email = NormalizedEvents.NewEmail();
        await api.PostEventAsync(events.AbandonedCheckout("chk-stats", email));
        var id = (string)(await api.EnrollmentAsync(events.StoreId, "abandoned-checkout"))["id"]!;
        await api.WaitForAsync(id, t => State(Steps(t).First()) == "sent");
        var before = await CheckoutStatsAsync();

        await api.PostEventAsync(events.AbandonedCheckout("chk-stats", email, sessionState: "COMPLETED", totalPayable: 999));

        var after = await CheckoutStatsAsync();
        Assert.True((int)after["enrolled"]! >= 1);
        Assert.Equal((int)before["recovered"]! + 1, (int)after["recovered"]!);
        Assert.Equal((decimal)before["revenue"]! + 999m, (decimal)after["revenue"]!);
        var step1 = after["steps"]!.AsArray().Single(s => (int)s!["number"]! == 1)!;
        Assert.True((int)step1["sent"]! >= 1);
        // Credited to the step sent last before the purchase (step 1, or step 2 when the purchase came after it).
        static decimal StepRevenue(JsonObject stats) => stats["steps"]!.AsArray().Sum(s => (decimal)s!["revenue"]!);
        Assert.Equal(StepRevenue(before) + 999m, StepRevenue(after));
    }

    [Fact]
    public async Task The_openapi_document_describes_the_api()
    {
        var document = (await api.Http.GetFromJsonAsync<JsonObject>("/openapi/v1.json"))!;
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("/api/sequences", paths);
        Assert.Contains("/api/enrollments/{id}", paths);
        Assert.Contains("/internal/events", paths);
        Assert.Contains("/internal/events/batch", paths);
    }

    [Theory]
    [InlineData("to=0001-01-01", "to")]
    [InlineData("from=2026-05-02&to=2026-05-01", "from")]
    [InlineData("from=2000-01-01&to=2026-05-01", "from")]
    public async Task A_daily_series_over_a_period_it_cannot_draw_is_refused_with_the_field_named(string query, string field)
    {
        var response = await api.Http.GetAsync($"/api/stats/daily?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.NotEmpty(problem["errors"]![field]!.AsArray());
    }

    [Fact]
    public async Task A_daily_series_has_a_row_for_every_day_of_the_period_and_none_for_the_exclusive_end()
    {
        var days = (await api.Http.GetFromJsonAsync<List<JsonObject>>("/api/stats/daily?from=2026-05-01&to=2026-05-08"))!;

        Assert.Equal(["2026-05-01", "2026-05-02", "2026-05-03", "2026-05-04", "2026-05-05", "2026-05-06", "2026-05-07"],
            days.Select(d => (string)d["date"]!).ToArray());
    }

    private async Task<JsonObject> CheckoutStatsAsync()
        => (await api.Http.GetFromJsonAsync<List<JsonObject>>("/api/stats/sequences"))!.Single(s => (string)s["sequence_key"]! == "abandoned-checkout");

    public void Dispose() => api.Dispose();
}
