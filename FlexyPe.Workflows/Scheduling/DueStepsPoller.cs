using FlexyPe.Outbox;
using FlexyPe.Workflows.Infrastructure;
using FlexyPe.Workflows.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FlexyPe.Workflows.Scheduling;

/// <summary>
/// Fires due steps in every Workflows process (claims are <c>FOR UPDATE SKIP LOCKED</c>, so replicas share them and
/// none fires a step twice). It sleeps until the next step is due, and is woken sooner when a commit anywhere adds or
/// moves a step (the <c>scheduled_steps</c> trigger's <c>NOTIFY</c>); it looks at least every
/// <see cref="SchedulingOptions.MaxSleep"/>, should a wake-up be lost. An idle stack so costs a query every half minute,
/// not four a second.
/// </summary>
public sealed class DueStepsPoller(
    IServiceScopeFactory scopes,
    [FromKeyedServices(DueStepsPoller.Channel)] WakeUp wakeUp,
    IOptions<WorkflowsOptions> options,
    WorkflowsTelemetry telemetry,
    TimeProvider time,
    ILogger<DueStepsPoller> logger) : BackgroundService
{
    /// <summary>The table whose trigger announces new and moved steps.</summary>
    public const string Channel = "scheduled_steps";

    private static readonly string FiredBy = $"{Environment.MachineName}/{Environment.ProcessId}";

    private readonly SchedulingOptions settings = options.Value.Scheduling;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
        => wakeUp.RunAsync(FireDueAsync, settings.MaxSleep, "Firing due steps", time, logger, stoppingToken);

    /// <summary>Fires everything due, batch after batch; returns how long to sleep.</summary>
    private async Task<TimeSpan> FireDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var firing = scope.ServiceProvider.GetRequiredService<StepFiring>();
        int fired = 0, claimed;
        do
        {
            claimed = await firing.FireDueAsync(FiredBy, cancellationToken);
            fired += claimed;
        }
        while (claimed == settings.BatchSize && !cancellationToken.IsCancellationRequested);
        telemetry.StepPolls.Count(found: fired > 0);

        if (fired > 0)
        {
            // Under load, steps come due all the time: a pause lets them gather into one batch, whose cost is fixed.
            await Task.Delay(settings.PollInterval, time, cancellationToken);
        }
        var wait = await scope.ServiceProvider.GetRequiredService<WorkflowsDbContext>().ScheduledSteps
            .Where(s => s.State == Model.StepStates.Scheduled)
            .MinAsync(s => (DateTimeOffset?)s.DueAt, cancellationToken) is { } next
            ? next - time.GetUtcNow()
            : settings.MaxSleep;
        if (wait <= TimeSpan.Zero)
        {
            // Due now: fire at once, unless this round found none, when another node holds them; look again shortly.
            wait = fired > 0 ? TimeSpan.Zero : settings.PollInterval;
        }
        return wait < settings.MaxSleep ? wait : settings.MaxSleep;
    }
}
