using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace FlexyPe.Ingest.Telemetry;

/// <summary>Ingest's spans and metrics. Tags carry types, versions, stores and outcomes: never secrets, emails or phones.</summary>
public sealed class IngestTelemetry : IDisposable
{
    public const string Name = "FlexyPe.Ingest";

    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Meter meter;

    public IngestTelemetry(IMeterFactory meterFactory)
    {
        meter = meterFactory.Create(Name);
        Received = meter.CreateCounter<long>("flexype.ingest.deliveries.received", description: "Deliveries stored as new events.");
        Duplicates = meter.CreateCounter<long>("flexype.ingest.deliveries.duplicate", description: "Deliveries of an event already stored.");
        Rejected = meter.CreateCounter<long>("flexype.ingest.deliveries.rejected", description: "Deliveries refused, by reason.");
        Unavailable = meter.CreateCounter<long>("flexype.ingest.deliveries.unavailable", description: "Deliveries answered 503 because the commit failed.");
        RedisErrors = meter.CreateCounter<long>("flexype.ingest.redis.errors", description: "Dedupe cache calls that failed (Postgres decided).");
        TimeToAcknowledge = meter.CreateHistogram<double>("flexype.ingest.time_to_acknowledge", unit: "ms", description: "From request start to response.");
        BatchSize = meter.CreateHistogram<int>("flexype.ingest.commit.batch_size", description: "Deliveries per group commit.");
    }

    public Counter<long> Received { get; }
    public Counter<long> Duplicates { get; }
    public Counter<long> Rejected { get; }
    public Counter<long> Unavailable { get; }
    public Counter<long> RedisErrors { get; }
    public Histogram<double> TimeToAcknowledge { get; }
    public Histogram<int> BatchSize { get; }

    public void Dispose() => meter.Dispose();
}
