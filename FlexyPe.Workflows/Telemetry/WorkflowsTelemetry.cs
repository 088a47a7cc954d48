using System.Diagnostics;
using System.Diagnostics.Metrics;
using FlexyPe.Outbox;

namespace FlexyPe.Workflows.Telemetry;

/// <summary>
/// Workflows' spans and metrics ("FlexyPe.Workflows", exported by the service defaults). Tags carry sequences, steps,
/// stores and reasons: never an email, a phone or a name.
/// </summary>
public sealed class WorkflowsTelemetry
{
    public const string Name = "FlexyPe.Workflows";

    public static readonly ActivitySource Source = new(Name);

    public WorkflowsTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Name);
        Enrolled = meter.CreateCounter<long>("flexype.workflows.enrollments", description: "Enrollments started, by sequence and whether held out.");
        StepsFired = meter.CreateCounter<long>("flexype.workflows.steps.fired", description: "Steps that produced a message request, by sequence.");
        StepsSkipped = meter.CreateCounter<long>("flexype.workflows.steps.skipped", description: "Steps skipped, by reason.");
        StepsCancelled = meter.CreateCounter<long>("flexype.workflows.steps.cancelled", description: "Steps cancelled, by reason.");
        StepsDeferred = meter.CreateCounter<long>("flexype.workflows.steps.deferred", description: "Steps left for later, by reason: quiet_hours, or event_being_taken (an event of the shopper is being taken).");
        Recoveries = meter.CreateCounter<long>("flexype.workflows.recoveries", description: "Purchases attributed to a message, by sequence.");
        FiringLateness = meter.CreateHistogram<double>("flexype.workflows.steps.lateness", unit: "s", description: "How long after its due time a step fired.");
        IntakeBatchSize = meter.CreateHistogram<int>("flexype.workflows.intake.batch_size", unit: "{event}", description: "Events per hand-off batch taken in one transaction.");
        IntakeBatchesSplit = meter.CreateCounter<long>("flexype.workflows.intake.batches_split", description: "Hand-off batches not taken in one transaction (an event refused, a deadlock), then taken one event at a time.");
        StepPolls = new PollCounter(meter, "flexype.workflows.steps.polls", "Rounds of the due-step poller");
    }

    public Counter<long> Enrolled { get; }
    public Counter<long> StepsFired { get; }
    public Counter<long> StepsSkipped { get; }
    public Counter<long> StepsCancelled { get; }
    public Counter<long> StepsDeferred { get; }
    public Counter<long> Recoveries { get; }
    public Histogram<double> FiringLateness { get; }
    public Histogram<int> IntakeBatchSize { get; }
    public Counter<long> IntakeBatchesSplit { get; }
    public PollCounter StepPolls { get; }
}
