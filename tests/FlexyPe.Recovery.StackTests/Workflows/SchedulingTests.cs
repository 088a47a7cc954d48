using System.Net;
using Microsoft.Extensions.DependencyInjection;
using static FlexyPe.Recovery.StackTests.Workflows.WorkflowsApi;

namespace FlexyPe.Recovery.StackTests.Workflows;

[Collection(WorkflowsStackCollection.Name)]
public sealed class SchedulingTests(WorkflowsStack stack) : IDisposable
{
    private readonly WorkflowsApi api = new(stack);
    private readonly NormalizedEvents events = new();
    private static readonly string[] QuartzCore =
        ["qrtz_job_details", "qrtz_triggers", "qrtz_simple_triggers", "qrtz_fired_triggers", "qrtz_scheduler_state", "qrtz_locks"];

    [Fact]
    public async Task Quartz_runs_on_a_clustered_persistent_store_in_workflowsdb_with_tables_it_created()
    {
        var tables = (await api.ScalarAsync<string>(
            "SELECT string_agg(table_name, ',') FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 'qrtz_%'")).Split(',');
        Assert.Subset(tables.ToHashSet(), QuartzCore.ToHashSet());
        var nodes = await api.ScalarAsync<long>("SELECT count(*) FROM qrtz_scheduler_state WHERE sched_name = 'FlexyPe.Workflows'");
        Assert.True(nodes >= 1);
    }

    [Fact]
    public async Task Message_requests_notifier_does_not_take_stay_in_the_outbox_and_are_retried()
    {
        await api.PostEventAsync(events.NewCustomer(NormalizedEvents.NewEmail()));
        var id = (string)(await api.EnrollmentAsync(events.StoreId, "welcome"))["id"]!;
        await api.WaitForAsync(id, t => State(Steps(t).First()) == "sent");

        // Either Notifier took it, or the relay tried, recorded why it failed, and keeps it for the sweep.
        var row = (await Eventually.MatchesAsync(() => api.OutboxAsync($"enrollment:{id}:step:1"),
            rows => rows.Count == 1 && (rows[0].DeliveredAt is not null || rows[0].Attempts >= 2),
            "the step's message request to be delivered or retried")).Single();
        if (row.DeliveredAt is null)
        {
            Assert.NotNull(row.LastError);
        }
    }

    [Fact]
    public async Task Workflows_stopped_mid_sequence_and_restarted_fires_the_remaining_steps_once()
    {
        // First by key among checkout sequences, so it takes this test's checkout; removed again at the end. Step 2
        // falls due 20 s (20 h at 3600x) after step 1, time enough to stop Workflows on a loaded machine in between.
        const string key = "aaa-restart-checkout";
        Assert.Equal(HttpStatusCode.Created, await api.CreateSequenceAsync(key, "Restart checkout", "abandoned_checkout",
            ("01:00:00", "One", "<p>One</p>"), ("21:00:00", "Two", "<p>Two</p>"), ("22:00:00", "Three", "<p>Three</p>")));
        try
        {
            await StopMidSequenceAndRestartAsync(key);
        }
        finally
        {
            using var cleanup = new WorkflowsApi(stack);
            await cleanup.Http.DeleteAsync($"/api/sequences/{key}");
        }
    }

    private async Task StopMidSequenceAndRestartAsync(string sequence)
    {
        var email = NormalizedEvents.NewEmail();
        await api.PostEventAsync(events.AbandonedCheckout("chk-restart", email));
        var id = (string)(await api.EnrollmentAsync(events.StoreId, sequence))["id"]!;
        var running = await api.WaitForAsync(id, t => State(Steps(t).First()) == "sent");
        var secondDue = (DateTimeOffset)Steps(running).ElementAt(1)["due_at"]!;

        var commands = stack.App.Services.GetRequiredService<ResourceCommandService>();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var stopped = await commands.ExecuteCommandAsync("workflows", KnownResourceCommands.StopCommand, cts.Token);
        Assert.True(stopped.Success, stopped.Message);
        await stack.App.ResourceNotifications.WaitForResourceAsync("workflows",
            e => e.Snapshot.State?.Text is "Exited" or "Finished" or "FailedToStart", cts.Token);
        var stoppedAt = DateTimeOffset.UtcNow;
        Assert.True(stoppedAt < secondDue, $"Workflows stopped at {stoppedAt:O}, after step 2 fell due at {secondDue:O}");
        // Step 2 falls due while Workflows is down.
        while (DateTimeOffset.UtcNow < secondDue.AddSeconds(1))
        {
            await Task.Delay(200, cts.Token);
        }

        var started = await commands.ExecuteCommandAsync("workflows", KnownResourceCommands.StartCommand, cts.Token);
        Assert.True(started.Success, started.Message);
        await WaitUntilServingAsync(stack, cts.Token);

        using var after = new WorkflowsApi(stack);
        var timeline = await after.WaitForAsync(id, t => Steps(t).All(s => State(s) != "scheduled"));
        var steps = Steps(timeline).ToList();
        Assert.All(steps, s => Assert.Equal("sent", State(s)));
        Assert.True((DateTimeOffset)steps[1]["fired_at"]! > stoppedAt, "step 2 fired after the restart");
        var requests = await after.OutboxAsync($"enrollment:{id}:");
        Assert.Equal([$"enrollment:{id}:step:1", $"enrollment:{id}:step:2", $"enrollment:{id}:step:3"], requests.Select(r => r.IdempotencyKey));
    }

    public void Dispose() => api.Dispose();
}
