using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FlexyPe.Recovery.StackTests.Stack;

/// <summary>Stops and starts resources of a running stack, as the dashboard's Stop and Start buttons do.</summary>
public static class StackControl
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private const int LogLinesOnFailure = 60;

    public static async Task StopAsync(this RecoveryStack stack, string resource)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var running = ProcessId(await stack.App.ResourceNotifications.WaitForResourceAsync(resource, _ => true, cts.Token));
        Assert.True(running is not null, $"{resource} has no process to stop");
        var commands = stack.App.Services.GetRequiredService<ResourceCommandService>();
        var result = await commands.ExecuteCommandAsync(resource, KnownResourceCommands.StopCommand, cts.Token);
        Assert.True(result.Success, $"stopping {resource}: {result.Message}");
        await stack.App.ResourceNotifications.WaitForResourceAsync(resource,
            e => IsTerminal(e) && ProcessId(e) == running, cts.Token);
    }

    public static async Task StartAsync(this RecoveryStack stack, string resource)
    {
        using var cts = new CancellationTokenSource(Timeout);
        // What the resource went through from here on, for the failure message: a start that fails in CI must say why.
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        var states = new ConcurrentQueue<(string State, string Instance)>();
        var watch = WatchStatesAsync(stack, resource, states, watching.Token);
        try
        {
            var stopped = ProcessId(await stack.App.ResourceNotifications.WaitForResourceAsync(resource, _ => true, cts.Token));
            Assert.True(stopped is not null, $"{resource} shows no stopped process to start again");
            var commands = stack.App.Services.GetRequiredService<ResourceCommandService>();
            var result = await commands.ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand, cts.Token);
            Assert.True(result.Success, $"starting {resource}: {result.Message}");
            // The stopped process's last state can arrive after the start's first: "Starting", then "Finished" with the
            // old process id, then "Running" with the new one (seen in CI). Aspire's own health wait takes that
            // "Finished" for a failed start, so wait for the new process by its id, and for it to be healthy or gone.
            var started = ProcessId(await stack.App.ResourceNotifications.WaitForResourceAsync(resource,
                e => ProcessId(e) is { } id && id != stopped, cts.Token));
            var settled = await stack.App.ResourceNotifications.WaitForResourceAsync(resource,
                e => ProcessId(e) == started && (e.Snapshot.HealthStatus == HealthStatus.Healthy || IsTerminal(e)), cts.Token);
            if (IsTerminal(settled))
            {
                throw new DistributedApplicationException($"{resource} exited as it started (exit code {settled.Snapshot.ExitCode}).");
            }
        }
        catch (Exception ex) when (ex is DistributedApplicationException or OperationCanceledException)
        {
            await StopWatchingAsync();
            var instances = states.Select(s => s.Instance).Distinct().ToList();
            var logs = await LastLogLinesAsync(stack, instances);
            throw new InvalidOperationException(
                $"starting {resource}: {ex.Message}\nstates seen: {string.Join(" → ", states.Select(s => s.State))}\n" +
                $"last {LogLinesOnFailure} log lines of {string.Join(", ", instances)}:\n{logs}", ex);
        }
        finally
        {
            await StopWatchingAsync();
        }

        // Idempotent: the failure path stops the watch to read what it saw; finally stops it on every path.
        async Task StopWatchingAsync()
        {
            await watching.CancelAsync();
            await watch;
        }
    }

    private static bool IsTerminal(ResourceEvent e) =>
        e.Snapshot.State?.Text is "Exited" or "Finished" or "Stopped" or "FailedToStart";

    /// <summary>The id of the resource's current process (local mode runs every resource as one); none between two.</summary>
    private static string? ProcessId(ResourceEvent e) =>
        e.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value?.ToString() is { } id and not ("" or "0")
            ? id
            : null;

    private static async Task WatchStatesAsync(
        RecoveryStack stack, string resource, ConcurrentQueue<(string, string)> states, CancellationToken ct)
    {
        try
        {
            await foreach (var e in stack.App.ResourceNotifications.WatchAsync(ct))
            {
                if (e.Resource.Name == resource)
                {
                    states.Enqueue(($"{e.Snapshot.State?.Text ?? "-"}/{e.Snapshot.HealthStatus?.ToString() ?? "-"}" +
                        (e.Snapshot.ExitCode is { } code ? $"/exit {code}" : ""), e.ResourceId));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Watching ends when the start does.
        }
    }

    private static async Task<string> LastLogLinesAsync(RecoveryStack stack, IReadOnlyList<string> instances)
    {
        var loggerService = stack.App.Services.GetRequiredService<ResourceLoggerService>();
        var lines = new Queue<string>();
        foreach (var instance in instances)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await foreach (var batch in loggerService.GetAllAsync(instance).WithCancellation(cts.Token))
                {
                    foreach (var line in batch)
                    {
                        lines.Enqueue(line.Content);
                        if (lines.Count > LogLinesOnFailure)
                        {
                            lines.Dequeue();
                        }
                    }
                }
            }
            catch (OperationCanceledException)
            {
                lines.Enqueue($"(reading the log of {instance} timed out)");
            }
        }
        return string.Join('\n', lines);
    }
}
