using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FlexyPe.Recovery.StackTests.Workflows;

namespace FlexyPe.Recovery.StackTests.Assistance;

/// <summary>The default stack has no <c>ai</c> connection string: the assistant says it is off, and everything else works.</summary>
[Collection(WorkflowsStackCollection.Name)]
public sealed class AssistantOffTests(WorkflowsStack stack) : IDisposable
{
    private readonly WorkflowsApi api = new(stack);
    private readonly NormalizedEvents events = new();

    [Fact]
    public async Task Without_an_ai_connection_string_the_assistant_is_off_and_proposing_answers_503()
    {
        var status = await api.GetJsonAsync("/api/assistant/status");
        Assert.Equal("off", (string)status["state"]!);
        Assert.False(string.IsNullOrWhiteSpace((string?)status["detail"]));
        Assert.Null(status["model"]);

        await api.PostEventAsync(events.ProductViewed(NormalizedEvents.NewEmail(), "Walnut Brownie"));
        var response = await api.Http.PostAsJsonAsync("/api/sequences/abandoned-checkout/steps/1/assistant/variants",
            new { store_id = events.StoreId, intent = "reminder", count = 3 }, WorkflowsApi.Json);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("The copy assistant is off", (string)problem["title"]!);
        Assert.Equal("off", (string)problem["outcome"]!);
        // Nothing was proposed for anyone to approve.
        var variants = await api.GetJsonAsync("/api/sequences/abandoned-checkout/steps/1/variants");
        Assert.Empty(variants["variants"]!.AsArray());
    }

    public void Dispose() => api.Dispose();
}
