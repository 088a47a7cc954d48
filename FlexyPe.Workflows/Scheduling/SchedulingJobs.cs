using FlexyPe.Workflows.Outbox;
using Quartz;

namespace FlexyPe.Workflows.Scheduling;

/// <summary>
/// Runs every few hundred milliseconds on the clustered job store (one node at a time) and fires every due step,
/// batch after batch, until none is left or the next trigger is near.
/// </summary>
[DisallowConcurrentExecution]
public sealed class DueStepsJob(StepFiring firing, Microsoft.Extensions.Options.IOptions<WorkflowsOptions> options) : IJob
{
    public static readonly JobKey Key = new("due-steps", "workflows");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var batch = options.Value.Scheduling.BatchSize;
        for (var round = 0; round < 20; round++)
        {
            if (await firing.FireDueAsync(context.Scheduler.SchedulerInstanceId, cancellationToken) < batch)
            {
                return;
            }
        }
    }
}

/// <summary>Re-delivers message requests the relay left behind (Notifier down, a crash between commit and POST).</summary>
[DisallowConcurrentExecution]
public sealed class OutboxSweepJob(OutboxDelivery delivery) : IJob
{
    public static readonly JobKey Key = new("outbox-sweep", "workflows");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
        => await delivery.SweepAsync(cancellationToken);
}
