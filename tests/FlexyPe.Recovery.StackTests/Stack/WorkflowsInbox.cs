using Npgsql;

namespace FlexyPe.Recovery.StackTests.Stack;

/// <summary>What reached Workflows: its <c>received_events</c> table, one row per (store, event id) taken in.</summary>
public static class WorkflowsInbox
{
    /// <summary>Event id → how many rows Workflows keeps for it.</summary>
    public static async Task<Dictionary<string, int>> ReceivedAsync(RecoveryStack stack)
    {
        await using var connection = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("workflowsdb"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT event_id, count(*)::int FROM received_events GROUP BY event_id", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var received = new Dictionary<string, int>();
        while (await reader.ReadAsync())
        {
            received[reader.GetString(0)] = reader.GetInt32(1);
        }
        return received;
    }
}
