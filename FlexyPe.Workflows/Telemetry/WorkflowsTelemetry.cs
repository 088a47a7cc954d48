using System.Diagnostics;
using System.Diagnostics.Metrics;
using FlexyPe.Workflows.Model;

namespace FlexyPe.Workflows.Telemetry;

/// <summary>Spans and metrics of Workflows ("FlexyPe.Workflows", exported by the service defaults). No emails or names go in here.</summary>
public static class WorkflowsTelemetry
{
    public const string Name = "FlexyPe.Workflows";

    public static readonly ActivitySource Source = new(Name);
    private static readonly Meter Meter = new(Name);

    public static readonly Counter<long> Enrolled = Meter.CreateCounter<long>("workflows.enrollments", description: "Enrollments started");
    public static readonly Counter<long> StepsFired = Meter.CreateCounter<long>("workflows.steps.fired", description: "Steps that produced a message request");
    public static readonly Counter<long> StepsSkipped = Meter.CreateCounter<long>("workflows.steps.skipped", description: "Steps skipped, by reason");
    public static readonly Counter<long> StepsCancelled = Meter.CreateCounter<long>("workflows.steps.cancelled", description: "Steps cancelled, by reason");
    public static readonly Counter<long> StepsDeferred = Meter.CreateCounter<long>("workflows.steps.deferred", description: "Steps moved out of quiet hours");
    public static readonly Counter<long> Recoveries = Meter.CreateCounter<long>("workflows.recoveries", description: "Purchases attributed to a message");
    public static readonly Histogram<double> FiringLateness = Meter.CreateHistogram<double>(
        "workflows.steps.lateness", unit: "s", description: "How long after its due time a step fired");
    public static readonly Counter<long> OutboxDelivered = Meter.CreateCounter<long>("workflows.outbox.delivered", description: "Message requests Notifier accepted");
    public static readonly Counter<long> OutboxFailed = Meter.CreateCounter<long>("workflows.outbox.failed_attempts", description: "Delivery attempts to Notifier that failed");
}
