using System.Net;
using System.Text.Json.Nodes;
using FlexyPe.Recovery.StackTests.Notifier;
using FlexyPe.Recovery.StackTests.Workflows;
using static FlexyPe.Recovery.StackTests.Workflows.WorkflowsApi;

namespace FlexyPe.Recovery.StackTests.Assistance;

/// <summary>
/// A discount step's decision on the real stack (docs/uplift.md): without a model the step's rule stands and says why;
/// a model retrained on demand from the store's randomized arms then decides, and the step records its version.
/// </summary>
[Collection(WorkflowsStackCollection.Name)]
public sealed class UpliftDecisionTests(WorkflowsStack stack) : IDisposable
{
    private const int DiscountStep = 3;
    private readonly WorkflowsApi api = new(stack);
    private readonly NormalizedEvents events = new();

    [Fact]
    public async Task Without_a_model_the_discount_rule_stands_and_a_retrained_model_then_decides_with_its_version()
    {
        // No model yet: the step's rule (COMEBACK10) stands, and the step says why.
        var first = await FireDiscountStepAsync("chk-before-model", 630);
        var ruled = first.Step["discount"]!;
        Assert.True((bool)ruled["offered"]!);
        Assert.Equal("rule", (string)ruled["source"]!);
        Assert.Contains("no model trained for this store yet", (string)ruled["reason"]!);
        Assert.Null(ruled["model_version"]);
        Assert.Contains(first.Timeline["timeline"]!.AsArray(),
            t => (string)t!["kind"]! == "discount" && (int)t["step"]! == DiscountStep && ((string)t["reason"]!).Contains("no model trained", StringComparison.Ordinal));
        Assert.Contains("COMEBACK10", await EmailHtmlAsync(first.Email, "A little something to help you decide"));

        // The store's randomized arms, planted: some buy anyway (small carts), some only with the discount (middle), the rest never.
        var template = (string)first.Timeline["enrollment"]!["id"]!;
        await PlantRandomizedArmsAsync(template, count: 600);
        var retrain = await api.Http.PostAsync($"/api/stores/{Uri.EscapeDataString(events.StoreId)}/uplift/retrain", null);
        Assert.Equal(HttpStatusCode.Accepted, retrain.StatusCode);
        var status = await Eventually.MatchesAsync(() => api.GetJsonAsync($"/api/stores/{Uri.EscapeDataString(events.StoreId)}/uplift"),
            s => s["last_training"] is JsonObject, "the retraining to finish", TimeSpan.FromMinutes(1));
        Assert.True((bool)status["may_decide"]!, $"the model may decide: {status}");
        var version = (int)status["current"]!["version"]!;
        Assert.True((double)status["current"]!["held_out_auc"]! >= 0.65);

        // Later checkouts: the model decides each discount step and the step records its version and probabilities.
        foreach (var (checkout, value) in new[] { ("chk-after-model-small", 300m), ("chk-after-model-middle", 1000m) })
        {
            var later = await FireDiscountStepAsync(checkout, value);
            var decided = later.Step["discount"]!;
            Assert.Equal("model", (string)decided["source"]!);
            Assert.Equal(version, (int)decided["model_version"]!);
            Assert.NotNull(decided["p_with"]);
            Assert.NotNull(decided["p_without"]);
            Assert.Contains($"model v{version}", (string)decided["reason"]!);
            // What the shopper reads follows the decision: the code only when it was offered.
            var offered = (bool)decided["offered"]!;
            var html = await EmailHtmlAsync(later.Email, offered ? "A little something to help you decide" : "Your cart won't wait forever");
            Assert.Equal(offered, html.Contains("COMEBACK10", StringComparison.Ordinal));
            // The planted shoppers: small carts bought anyway (withheld), middle ones bought only with the discount (offered).
            Assert.Equal(value == 1000m, offered);
        }
    }

    /// <summary>An abandoned checkout of the given value, followed until its discount step has fired.</summary>
    private async Task<(JsonObject Timeline, JsonObject Step, string Email)> FireDiscountStepAsync(string checkout, decimal value)
    {
        if (!await StoreKnownAsync())
        {
            await api.PostEventAsync(events.ProductViewed(NormalizedEvents.NewEmail(), "Store opener"));
        }
        var email = NormalizedEvents.NewEmail();
        await api.PostEventAsync(events.AbandonedCheckout(checkout, email, cart: NormalizedEvents.Cart("Multigrain Atta", value), totalPayable: value));
        var enrollment = Assert.Single(await api.EnrollmentsAsync(events.StoreId, "abandoned-checkout"), e => (string)e["subject_key"]! == checkout);
        Assert.Equal("policy", (string)enrollment["discount_arm"]!);
        var timeline = await api.WaitForAsync((string)enrollment["id"]!, t => Steps(t).All(s => State(s) != "scheduled"));
        var step = Steps(timeline).Single(s => (int)s["number"]! == DiscountStep);
        Assert.Equal("sent", State(step));
        return (timeline, step, email);
    }

    private async Task<bool> StoreKnownAsync()
        => await api.ScalarAsync<long>($"SELECT count(*) FROM stores WHERE store_id = '{events.StoreId}'") > 0;

    private async Task<string> EmailHtmlAsync(string email, string subject)
    {
        using var mailHttp = stack.App.CreateHttpClient("mail", "http");
        var mail = new MailSink(mailHttp);
        var message = await Eventually.GetAsync<System.Text.Json.JsonElement?>(async () =>
            (await mail.MessagesToAsync(email)).Where(m => m.GetProperty("subject").GetString() == subject).Cast<System.Text.Json.JsonElement?>().FirstOrDefault(),
            $"the discount step's email '{subject}' in smtp4dev");
        return await mail.HtmlAsync(message!.Value.GetProperty("id").GetString()!);
    }

    /// <summary>
    /// Finished enrollments of the store's randomized arms, copied from a real one with the cart's value changed: below 700
    /// the shopper buys anyway, from 700 to 1,400 only when given the discount, above never.
    /// </summary>
    private async Task PlantRandomizedArmsAsync(string templateId, int count)
    {
        var columns = (await api.QueryAsync("SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'enrollments' ORDER BY ordinal_position"))
            .Select(r => (string)r[0]!).ToList();
        var overrides = new Dictionary<string, string>
        {
            ["id"] = "gen_random_uuid()",
            ["subject_key"] = "'planted-' || i",
            ["shopper_email"] = "'planted-' || i || '@example.com'",
            ["held_out"] = "false",
            ["discount_arm"] = "p.arm",
            ["state"] = "CASE WHEN p.bought THEN 'recovered' ELSE 'finished' END",
            ["ended_at"] = "t.enrolled_at",
            ["features"] = "jsonb_set(jsonb_set(t.features, '{cart_value}', to_jsonb(p.v)), '{cart_value_missing}', '0'::jsonb)",
            ["purchased_at"] = "CASE WHEN p.bought THEN t.enrolled_at END",
            ["purchase_revenue"] = "CASE WHEN p.bought THEN p.v::numeric END",
        };
        var select = string.Join(", ", columns.Select(c => overrides.GetValueOrDefault(c, "t." + c)));
        var planted = await api.ExecuteAsync($"""
            INSERT INTO enrollments ({string.Join(", ", columns)})
            SELECT {select}
            FROM enrollments t
            CROSS JOIN generate_series(1, {count}) AS i
            CROSS JOIN LATERAL (SELECT (100 + (i * 37) % 1900)::double precision AS v,
                                       CASE WHEN i % 2 = 0 THEN 'explore_offer' ELSE 'explore_withhold' END AS arm) AS a
            CROSS JOIN LATERAL (SELECT a.v, a.arm, (a.v < 700 OR (a.arm = 'explore_offer' AND a.v < 1400)) AS bought) AS p
            WHERE t.id = '{templateId}'
            """);
        Assert.Equal(count, planted);
    }

    public void Dispose() => api.Dispose();
}
