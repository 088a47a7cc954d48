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
}
