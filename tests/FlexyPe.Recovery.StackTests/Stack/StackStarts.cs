namespace FlexyPe.Recovery.StackTests.Stack;

/// <summary>
/// Stacks of this test run start one at a time. xUnit runs two collections at once, and `dotnet test` runs the unit
/// tests beside them: on a two-core machine, two stacks starting together with the unit tests (load average over 13)
/// left Workflows unable to answer its health check within three minutes. Started one after the other, each starts in
/// well under a minute; a stack's timeout counts from its own turn.
/// </summary>
internal static class StackStarts
{
    private static readonly SemaphoreSlim Turn = new(1, 1);

    /// <summary>Runs <paramref name="start"/> when no other stack of this run is starting.</summary>
    public static async Task InTurnAsync(Func<Task> start)
    {
        await Turn.WaitAsync();
        try
        {
            await start();
        }
        finally
        {
            Turn.Release();
        }
    }
}
