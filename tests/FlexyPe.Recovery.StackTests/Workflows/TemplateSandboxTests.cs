using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static FlexyPe.Recovery.StackTests.Workflows.WorkflowsApi;

namespace FlexyPe.Recovery.StackTests.Workflows;

/// <summary>
/// A runaway template, tried as a marketer would: refused with a clear 400 when saved, a 400 (not a 500 with a stack
/// trace) when previewed, and at send time a step that fails alone while the other steps of its batch go out.
/// </summary>
[Collection(WorkflowsStackCollection.Name)]
public sealed class TemplateSandboxTests(WorkflowsStack stack) : IDisposable
{
    private const string LiteralRunaway = "{% for i in (1..50000000) %}{{ i }}{% endfor %}";
    // Within the limits as written; past them once the shopper's total (630) is multiplied.
    private const string DataRunaway = "<p>{% assign n = checkout.total_payable | times: 100000 %}{% for i in (1..n) %}{{ i }}{% endfor %}</p>";

    private readonly WorkflowsApi api = new(stack);
    private readonly NormalizedEvents events = new();

    private static object Step(string subject, string template)
        => new { delay = "00:00:00", delay_from = "trigger", subject, template, enabled = true };

    [Fact]
    public async Task A_template_with_a_fifty_million_item_loop_is_refused_when_saved()
    {
        var response = await api.Http.PostAsJsonAsync("/api/sequences", new
        {
            key = "runaway-literal", name = "Runaway", trigger = "abandoned_checkout",
            steps = new[] { Step("Hello", LiteralRunaway) },
        }, Json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var error = Assert.Single(problem["template_errors"]!.AsArray())!;
        Assert.Equal("template", (string)error["field"]!);
        Assert.Contains("a range may have at most 1,000", (string)error["message"]!, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await api.Http.GetAsync("/api/sequences/runaway-literal")).StatusCode);
    }

    [Fact]
    public async Task Previewing_a_runaway_template_answers_400_with_the_limit_not_500_with_a_stack_trace()
    {
        foreach (var (template, says) in new[] { (LiteralRunaway, "at most 1,000"), (DataRunaway, "at most 1,000"), ("{% include '/etc/passwd' %}", "/etc/passwd") })
        {
            var response = await api.Http.PostAsJsonAsync("/api/previews", new
            {
                trigger = "abandoned_checkout", step = new { subject = "Hi", template },
            }, Json);
            var body = await response.Content.ReadAsStringAsync();

            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{template}: {(int)response.StatusCode} {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("template_errors", body, StringComparison.Ordinal);
            Assert.Contains(says, body, StringComparison.Ordinal);
            Assert.DoesNotContain(" at Fluid.", body, StringComparison.Ordinal);
            Assert.DoesNotContain("root:", body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task At_send_a_step_whose_template_breaks_a_limit_fails_alone_and_the_rest_of_its_batch_is_sent()
    {
        // First by key among welcome sequences, so it takes this test's new customers; disabled again at the end.
        const string key = "aaa-runaway-welcome";
        var created = await api.Http.PostAsJsonAsync("/api/sequences", new
        {
            key, name = "Runaway welcome", trigger = "new_customer",
            steps = new[] { Step("Runaway", DataRunaway), Step("Welcome {{ customer.first_name }}", "<p>Welcome</p>") },
        }, Json);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        try
        {
            var shoppers = Enumerable.Range(0, 5).Select(_ => NormalizedEvents.NewEmail()).ToList();
            foreach (var email in shoppers)
            {
                var customer = events.NewCustomer(email);
                // The runaway template multiplies the checkout total; a new customer has none, so give it one.
                customer["checkout"] = new JsonObject { ["key"] = null, ["total_payable"] = 630 };
                await api.PostEventAsync(customer);
            }

            var enrollments = await api.EnrollmentsAsync(events.StoreId, key);
            Assert.Equal(shoppers.Count, enrollments.Count);
            foreach (var enrollment in enrollments)
            {
                var timeline = await api.WaitForAsync((string)enrollment["id"]!, t => Steps(t).All(s => State(s) != "scheduled"));
                var steps = Steps(timeline).OrderBy(s => (int)s["number"]!).ToList();
                Assert.Equal("skipped", State(steps[0]));
                Assert.Equal("template did not render", (string)steps[0]["reason"]!);
                Assert.Equal("sent", State(steps[1]));
            }
        }
        finally
        {
            await api.Http.DeleteAsync($"/api/sequences/{key}");
        }
    }

    public void Dispose() => api.Dispose();
}
