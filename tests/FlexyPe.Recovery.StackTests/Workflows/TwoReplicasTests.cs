using static FlexyPe.Recovery.StackTests.Workflows.WorkflowsApi;

namespace FlexyPe.Recovery.StackTests.Workflows;

/// <summary>Two Workflows processes on one clustered Quartz store in one workflowsdb.</summary>
public sealed class TwoReplicasStack : ServingWorkflowsStack
{
    protected override IEnumerable<string> ExtraArguments =>
    [
        "--Workflows:Replicas=2",
        $"--Workflows:TimeScale={WorkflowsStack.TimeScale}",
        "--Workflows:QuietHours:Enabled=false",
        "--Workflows:FrequencyCap=00:00:00",
        "--Workflows:Seed:AbandonedCheckoutDelays=01:00:00,02:00:00,03:00:00",
    ];
}

[CollectionDefinition(Name)]
public sealed class TwoReplicasCollection : ICollectionFixture<TwoReplicasStack>
{
    public const string Name = "Two Workflows replicas";
}

[Collection(TwoReplicasCollection.Name)]
public sealed class TwoReplicasTests(TwoReplicasStack stack) : IDisposable
{
    private readonly WorkflowsApi api = new(stack);

    [Fact]
    public async Task Two_replicas_on_one_job_store_fire_every_step_exactly_once()
    {
        // Both nodes have joined the Quartz cluster.
        await Eventually.MatchesAsync(() => api.ScalarAsync<long>("SELECT count(*) FROM qrtz_scheduler_state"), nodes => nodes == 2,
            "both nodes to join the Quartz cluster", TimeSpan.FromMinutes(1));

        var events = new NormalizedEvents();
        const int checkouts = 40;
        for (var i = 0; i < checkouts; i++)
        {
            await api.PostEventAsync(events.AbandonedCheckout($"chk-{i}", NormalizedEvents.NewEmail()));
        }
        var enrollments = await api.EnrollmentsAsync(events.StoreId);
        Assert.Equal(checkouts, enrollments.Count);

        var storeFilter = $"e.store_id = '{events.StoreId}'";
        await Eventually.MatchesAsync(
            () => api.ScalarAsync<long>($"SELECT count(*) FROM scheduled_steps s JOIN enrollments e ON e.id = s.enrollment_id WHERE {storeFilter} AND s.state = 'scheduled'"),
            left => left == 0, "every step to fire", TimeSpan.FromMinutes(1));

        var sent = await api.ScalarAsync<long>($"SELECT count(*) FROM scheduled_steps s JOIN enrollments e ON e.id = s.enrollment_id WHERE {storeFilter} AND s.state = 'sent' AND s.reason IS NULL");
        Assert.Equal(checkouts * 3, sent);
        var requests = new List<OutboxRow>();
        foreach (var enrollment in enrollments)
        {
            requests.AddRange(await api.OutboxAsync($"enrollment:{enrollment["id"]}:"));
        }
        Assert.Equal(checkouts * 3, requests.Count);
        Assert.Equal(checkouts * 3, requests.Select(r => r.IdempotencyKey).Distinct().Count());
    }

    public void Dispose() => api.Dispose();
}
