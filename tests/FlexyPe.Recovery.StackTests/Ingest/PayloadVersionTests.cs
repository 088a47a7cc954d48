using System.Text.Json.Nodes;
using System.Net;
using FlexyPe.Recovery.StackTests.Stack;

namespace FlexyPe.Recovery.StackTests.Ingest;

/// <summary>Every example FlexyPe documents, in every payload version and under every alias, normalizes as expected.</summary>
[Collection(RecoveryStackCollection.Name)]
public sealed class PayloadVersionTests(RecoveryStack stack)
{
    [Theory]
    [MemberData(nameof(WebhookSamples.All), MemberType = typeof(WebhookSamples))]
    public async Task Documented_example_is_stored_and_normalized(WebhookSample sample)
    {
        using var ingest = new IngestClient(stack);
        var eventId = IngestClient.NewEventId();
        var body = sample.Body.Replace("{{event_id}}", eventId, StringComparison.Ordinal);

        using var response = await ingest.DeliverAsync(body, sample.SendEventIdHeader ? eventId : null,
            version: sample.Version, pathKind: sample.PathKind);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"received":true,"duplicate":false}""", await response.Content.ReadAsStringAsync());

        var stored = await ingest.GetEventAsync(eventId);
        Assert.NotNull(stored);
        var normalized = stored.Value.GetProperty("normalized");
        Assert.Equal(eventId, normalized.At("event_id"));
        foreach (var (path, expected) in sample.Expected)
        {
            Assert.True(expected == normalized.At(path), $"{path}: expected '{expected}', got '{normalized.At(path)}'");
        }

        // The raw body is kept as it came, beside the normalized event.
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(body), JsonNode.Parse(stored.Value.GetProperty("raw").GetRawText())));
    }

    [Fact]
    public async Task Repeated_acr_deliveries_for_one_checkout_share_its_checkout_key()
    {
        using var ingest = new IngestClient(stack);
        string[] eventIds = [IngestClient.NewEventId(), IngestClient.NewEventId()];
        var checkoutUrl = $"https://test-store.myshopify.com/?flx_s={Guid.NewGuid()}";
        string[] states = ["INITIATED", "PAYMENT_INITIATED"];

        for (var i = 0; i < 2; i++)
        {
            var body = $$"""
                { "checkout_url": "{{checkoutUrl}}", "session_state": "{{states[i]}}", "total_payable": 630, "store_link": "test-store.myshopify.com" }
                """;
            using var response = await ingest.DeliverAsync(body, eventIds[i], version: "2025-09");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var keys = new List<string?>();
        foreach (var id in eventIds)
        {
            keys.Add((await ingest.GetEventAsync(id))!.Value.GetProperty("normalized").At("checkout.key"));
        }
        Assert.Equal(new Uri(checkoutUrl).Query["?flx_s=".Length..], keys[0]);
        Assert.Equal(keys[0], keys[1]);
    }
}
