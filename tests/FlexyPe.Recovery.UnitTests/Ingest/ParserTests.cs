using System.Text.Json;
using FlexyPe.Ingest;
using FlexyPe.Ingest.Parsing;

namespace FlexyPe.Recovery.UnitTests.Ingest;

/// <summary>Every documented example, in every payload version and alias, normalizes as expected: the parser alone.</summary>
public sealed class ParserTests
{
    [Theory]
    [MemberData(nameof(WebhookSamples.All), MemberType = typeof(WebhookSamples))]
    public void Documented_example_normalizes_to_the_expected_event(WebhookSample sample)
    {
        const string eventId = "evt_parser_test";
        using var body = JsonDocument.Parse(sample.Body.Replace("{{event_id}}", eventId, StringComparison.Ordinal));
        var delivery = new WebhookDelivery(body.RootElement, sample.SendEventIdHeader ? eventId : null, sample.Version,
            sample.PathKind, DateTimeOffset.Parse("2026-05-07T10:00:01Z", System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(eventId, FlexyPeEventParser.EventIdOf(delivery));
        using var normalized = JsonDocument.Parse(IngestJson.Serialize(FlexyPeEventParser.Parse(delivery, eventId)));
        foreach (var (path, expected) in sample.Expected)
        {
            Assert.True(expected == normalized.RootElement.At(path), $"{path}: expected '{expected}', got '{normalized.RootElement.At(path)}'");
        }
    }

    [Fact]
    public void Cart_keeps_only_items_that_are_objects_and_at_most_the_first_500()
    {
        var lines = Enumerable.Range(1, 700).Select(i => $"{{\"title\":\"Line {i}\",\"quantity\":1}}");
        var items = "[1, null, \"x\", [], " + string.Join(',', lines) + ", 7]";
        using var body = JsonDocument.Parse($$"""
            {"event_type": "ABANDONED_CHECKOUT", "event_id": "evt_cart", "store": {"shopify_domain": "cart.myshopify.com"},
             "payload": {"checkout_url": "https://cart.example/?flx_s=abc", "cart_items": {{items}} } }
            """);
        var delivery = new WebhookDelivery(body.RootElement, "evt_cart", "2026-05", null, DateTimeOffset.UnixEpoch);

        var cart = FlexyPeEventParser.Parse(delivery, "evt_cart").Cart!;

        Assert.Equal(FlexyPeEventParser.MaxCartLines, cart.Count);
        Assert.Equal("Line 1", cart[0].Title);
        Assert.Equal("Line 500", cart[^1].Title);
    }
}
