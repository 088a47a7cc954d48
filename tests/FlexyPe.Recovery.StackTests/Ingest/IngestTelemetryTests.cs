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

        // The delivery's span: named, tagged with what it was and how it ended.
        await Eventually.TrueAsync(() => Task.FromResult(stack.Otlp.Traces.Any(t =>
            OtlpReceiver.Contains(t, "Receive FlexyPe webhook") && OtlpReceiver.Contains(t, eventId)
            && OtlpReceiver.Contains(t, "flexype.payload_version") && OtlpReceiver.Contains(t, "abandoned_checkout")
            && OtlpReceiver.Contains(t, "test-store.myshopify.com") && OtlpReceiver.Contains(t, "flexype.duplicate")
            && OtlpReceiver.Contains(t, "stored"))), "the span of the stored delivery", TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(() => Task.FromResult(stack.Otlp.Traces.Any(t =>
            OtlpReceiver.Contains(t, "duplicate") && OtlpReceiver.Contains(t, eventId))), "the span of the duplicate", TimeSpan.FromSeconds(30));

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
}
