using System.Net;
using FlexyPe.Recovery.StackTests.Notifier;
using FlexyPe.Recovery.StackTests.Stack;

namespace FlexyPe.Recovery.StackTests.Ingest;

/// <summary>A stack whose Ingest exports its telemetry (OTLP over HTTP) to a listener the test reads.</summary>
public sealed class IngestTelemetryStack : RecoveryStack, IAsyncLifetime
{
    public OtlpReceiver Otlp { get; } = new();

    protected override void Configure(IDistributedApplicationTestingBuilder builder)
    {
        var ingest = builder.CreateResourceBuilder<ProjectResource>("ingest");
        foreach (var (name, value) in Otlp.Settings)
        {
            ingest.WithEnvironment(name, value);
        }
    }

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Otlp.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class IngestTelemetryCollection : ICollectionFixture<IngestTelemetryStack>
{
    public const string Name = "Ingest telemetry";
}

/// <summary>Each delivery is a span with its type, version, store and outcome, and is counted; no secret or PII leaves.</summary>
[Collection(IngestTelemetryCollection.Name)]
public sealed class IngestTelemetryTests(IngestTelemetryStack stack)
{
    [Fact]
    public async Task Each_delivery_is_a_span_with_its_outcome_and_is_counted_without_secrets_or_contact_details()
    {
        using var ingest = new IngestClient(stack);
        var eventId = IngestClient.NewEventId();
        var email = $"telemetry-{Guid.NewGuid():N}@example.com";
        const string phoneDigits = "9876512345";
        var body = IngestClient.AcrBody(eventId, email).Replace("9876543210", phoneDigits, StringComparison.Ordinal);
        var wrongSecret = $"wrong-{Guid.NewGuid():N}";

        using (var stored = await ingest.DeliverAsync(body, eventId))
        using (var duplicate = await ingest.DeliverAsync(body, eventId))
        using (var refused = await ingest.DeliverAsync(body, IngestClient.NewEventId(), secret: wrongSecret, clientAddress: "192.0.2.44"))
        {
            Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
            Assert.Equal(HttpStatusCode.OK, duplicate.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        // The delivery's span: named, tagged with what it was and how it ended. Waiting reports, if it gives up, how many
        // trace exports arrived and what the one with this event id lacked.
        string[] storedSpan =
        [
            "Receive FlexyPe webhook", eventId, "flexype.payload_version", "abandoned_checkout", "test-store.myshopify.com",
            "flexype.duplicate", "stored",
        ];
        await Eventually.MatchesAsync(() => Task.FromResult(Lacking(storedSpan)), lacking => lacking.Length == 0,
            "the span of the stored delivery", TimeSpan.FromSeconds(30));
        await Eventually.MatchesAsync(() => Task.FromResult(Lacking(["duplicate", eventId])), lacking => lacking.Length == 0,
            "the span of the duplicate", TimeSpan.FromSeconds(30));

        // Counted: received, duplicate, rejected by reason, and the time to acknowledge.
        string[] metrics =
        [
            "flexype.ingest.deliveries.received", "flexype.ingest.deliveries.duplicate", "flexype.ingest.deliveries.rejected",
            "flexype.ingest.time_to_acknowledge",
        ];
        await Eventually.TrueAsync(() => Task.FromResult(metrics.All(name =>
            stack.Otlp.Metrics.Any(m => OtlpReceiver.Contains(m, name)))), "every counter and histogram to be exported", TimeSpan.FromSeconds(30));

        foreach (var export in stack.Otlp.Traces.Concat(stack.Otlp.Metrics).Concat(stack.Otlp.Logs))
        {
            Assert.False(OtlpReceiver.Contains(export, stack.WebhookSecret), "exported telemetry holds the webhook secret");
            Assert.False(OtlpReceiver.Contains(export, wrongSecret), "exported telemetry holds a presented secret");
            Assert.False(OtlpReceiver.Contains(export, email), "exported telemetry holds the shopper's email");
            Assert.False(OtlpReceiver.Contains(export, phoneDigits), "exported telemetry holds the shopper's phone");
        }
    }

    /// <summary>
    /// Empty when one trace export holds every one of <paramref name="parts"/>; otherwise the count of exports so far and
    /// what the closest one lacks (the first part is the span's name, the second the event id, never a secret or PII).
    /// </summary>
    private string Lacking(string[] parts)
    {
        var exports = stack.Otlp.Traces.ToArray();
        var closest = exports
            .Select(export => parts.Where(part => !OtlpReceiver.Contains(export, part)).ToArray())
            .OrderBy(lacking => lacking.Length)
            .FirstOrDefault(parts);
        return closest.Length == 0 ? "" : $"{exports.Length} trace exports; the closest lacks: {string.Join(", ", closest)}";
    }
}
