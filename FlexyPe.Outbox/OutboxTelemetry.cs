using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace FlexyPe.Outbox;

/// <summary>
/// The relay's spans and counts ("FlexyPe.Outbox"; the service is the resource the exporter names). A poll that finds
/// nothing is counted, never traced: idle polls would bury the traces a person opens the dashboard for.
/// </summary>
public sealed class OutboxTelemetry
{
    public const string Name = "FlexyPe.Outbox";

    public static readonly ActivitySource Source = new(Name);

    public OutboxTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Name);
        Polls = new PollCounter(meter, "flexype.outbox.polls", "Claims of due outbox rows");
        Delivered = meter.CreateCounter<long>("flexype.outbox.delivered", description: "Rows the receiver took.");
        FailedAttempts = meter.CreateCounter<long>("flexype.outbox.failed_attempts", description: "Attempts that failed; the row is retried with backoff.");
    }

    public PollCounter Polls { get; }
    public Counter<long> Delivered { get; }
    public Counter<long> FailedAttempts { get; }
}
