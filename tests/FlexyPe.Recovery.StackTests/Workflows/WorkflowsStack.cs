using FlexyPe.Recovery.StackTests.Stack;

namespace FlexyPe.Recovery.StackTests.Workflows;

/// <summary>A stack whose start-up ends when Workflows serves (migrated, seeded, Quartz running).</summary>
public abstract class ServingWorkflowsStack : RecoveryStack, IAsyncLifetime
{
    public new async Task InitializeAsync()
    {
        await base.InitializeAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await WorkflowsApi.WaitUntilServingAsync(this, cts.Token);
    }
}

/// <summary>
/// The whole stack with time compressed 3600× (an hour is a second), quiet hours off, a 30-minute (half-second)
/// frequency cap, and short seeded delays: abandoned checkout at 1 h, 3 h, 5 h; session at 2 h, 4 h; welcome at 0 h, 3 h.
/// The uplift model decides from 400 finished enrollments and 40 recoveries per arm; products are embedded and variant
/// tests rolled up every second.
/// </summary>
public sealed class WorkflowsStack : ServingWorkflowsStack
{
    public const double TimeScale = 3600;

    protected override IEnumerable<string> ExtraArguments =>
    [
        $"--Workflows:TimeScale={TimeScale}",
        "--Workflows:QuietHours:Enabled=false",
        "--Workflows:FrequencyCap=00:30:00",
        "--Workflows:Seed:AbandonedCheckoutDelays=01:00:00,03:00:00,05:00:00",
        "--Workflows:Seed:AbandonedSessionDelays=02:00:00,04:00:00",
        "--Workflows:Seed:WelcomeDelays=00:00:00,03:00:00",
        // Lower data thresholds, so a store of a few hundred planted enrollments trains a model that may decide.
        "--Workflows:Uplift:Thresholds:MinFinishedEnrollments=400",
        "--Workflows:Uplift:Thresholds:MinRecoveriesPerArm=40",
        "--Workflows:Recommendations:EmbedInterval=00:00:01",
        "--Workflows:Variants:RollUpInterval=00:00:01",
    ];
}

[CollectionDefinition(Name)]
public sealed class WorkflowsStackCollection : ICollectionFixture<WorkflowsStack>
{
    public const string Name = "Workflows stack";
}
