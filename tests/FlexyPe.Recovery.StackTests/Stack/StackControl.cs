using Microsoft.Extensions.DependencyInjection;

namespace FlexyPe.Recovery.StackTests.Stack;

/// <summary>Stops and starts resources of a running stack, as the dashboard's Stop and Start buttons do.</summary>
public static class StackControl
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public static async Task StopAsync(this RecoveryStack stack, string resource)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var commands = stack.App.Services.GetRequiredService<ResourceCommandService>();
        var result = await commands.ExecuteCommandAsync(resource, KnownResourceCommands.StopCommand, cts.Token);
        Assert.True(result.Success, $"stopping {resource}: {result.Message}");
        await stack.App.ResourceNotifications.WaitForResourceAsync(resource,
            e => e.Snapshot.State?.Text is "Exited" or "Finished" or "Stopped", cts.Token);
    }

    public static async Task StartAsync(this RecoveryStack stack, string resource)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var commands = stack.App.Services.GetRequiredService<ResourceCommandService>();
        var result = await commands.ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand, cts.Token);
        Assert.True(result.Success, $"starting {resource}: {result.Message}");
        // The command may return before the resource's state leaves the stop's "Exited", which the health wait would
        // take for a start that failed: wait for the start to show first.
        await stack.App.ResourceNotifications.WaitForResourceAsync(resource,
            e => e.Snapshot.State?.Text is not (null or "Exited" or "Finished" or "Stopped"), cts.Token);
        await stack.App.ResourceNotifications.WaitForResourceHealthyAsync(resource, cts.Token);
    }
}
