using System.Net;
using FlexyPe.Recovery.StackTests.Workflows;

namespace FlexyPe.Recovery.StackTests.Assistance;

/// <summary>The uplift retraining on the clustered scheduler with two Workflows replicas (docs/uplift.md).</summary>
[Collection(TwoReplicasCollection.Name)]
public sealed class RetrainingReplicasTests(TwoReplicasStack stack) : IDisposable
{
    private readonly WorkflowsApi api = new(stack);
    private readonly NormalizedEvents events = new();

    [Fact]
    public async Task A_retraining_asked_for_once_runs_once_across_two_replicas()
    {
        await Eventually.MatchesAsync(() => api.ScalarAsync<long>("SELECT count(*) FROM qrtz_scheduler_state"), nodes => nodes == 2,
            "both nodes to join the Quartz cluster", TimeSpan.FromMinutes(1));
        await api.PostEventAsync(events.AbandonedCheckout("chk-retrain", NormalizedEvents.NewEmail()));

        var retrain = await api.Http.PostAsync($"/api/stores/{Uri.EscapeDataString(events.StoreId)}/uplift/retrain", null);
        Assert.Equal(HttpStatusCode.Accepted, retrain.StatusCode);

        var store = $"store_id = '{events.StoreId}'";
        await Eventually.MatchesAsync(() => api.ScalarAsync<long>($"SELECT count(*) FROM uplift_models WHERE {store}"), rows => rows >= 1,
            "the retraining to run", TimeSpan.FromMinutes(1));
        // Long enough for a second node to have taken the same trigger, had the store not been clustered.
        await Task.Delay(TimeSpan.FromSeconds(5));
        var runs = await api.QueryAsync($"SELECT version, trained_by, training_outcome FROM uplift_models WHERE {store}");
        var run = Assert.Single(runs);
        Assert.Equal(1, (int)run[0]!);
        // It ran on one of the cluster's two nodes, and said why this store trained no model (one live enrollment, no arms).
        var nodes = (await api.QueryAsync("SELECT instance_name FROM qrtz_scheduler_state")).Select(r => (string)r[0]!).ToList();
        Assert.Contains((string)run[1]!, nodes);
        Assert.False(string.IsNullOrWhiteSpace((string?)run[2]));
        var status = await api.GetJsonAsync($"/api/stores/{Uri.EscapeDataString(events.StoreId)}/uplift");
        Assert.False((bool)status["may_decide"]!);
        Assert.Equal(1, (int)status["last_training"]!["version"]!);
    }

    public void Dispose() => api.Dispose();
}
