using System.Diagnostics;

namespace FlexyPe.Chaos.Stack;

/// <summary>How to start one process of the stack: the program, its arguments and environment, and its log file.</summary>
public sealed record ProcessSpec(string Name, string FileName, IReadOnlyList<string> Arguments, string WorkingDirectory, string LogPath)
{
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// One process of the stack, started in a process group of its own (<c>setsid</c>), so that <see cref="Kill"/> is a
/// <c>kill -9</c> of it and of every process it started (Postgres's backends), as a crash or an OOM kill would be.
/// Its output is appended to its log file across restarts.
/// </summary>
public sealed class Supervised(ProcessSpec spec) : IAsyncDisposable
{
    private Process? process;
    private Task pumps = Task.CompletedTask;
    private readonly object logLock = new();

    public string Name => spec.Name;
    public ProcessSpec Spec => spec;
    public int? Pid => process is { HasExited: false } p ? p.Id : null;
    public bool Running => process is { HasExited: false };

    public void Start()
    {
        if (Running)
        {
            throw new InvalidOperationException($"{spec.Name} is already running.");
        }
        var start = new ProcessStartInfo("setsid")
        {
            WorkingDirectory = spec.WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(spec.FileName);
        foreach (var argument in spec.Arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in spec.Environment)
        {
            start.Environment[key] = value;
        }
        process = Process.Start(start) ?? throw new InvalidOperationException($"{spec.Name} did not start.");
        Log($"--- started pid {process.Id} at {DateTimeOffset.UtcNow:O}");
        pumps = Task.WhenAll(PumpAsync(process.StandardOutput), PumpAsync(process.StandardError));
    }

    /// <summary><c>kill -9</c> of the process group; returns once the process is gone.</summary>
    public async Task KillAsync()
    {
        if (process is null || process.HasExited)
        {
            return;
        }
        Log($"--- kill -9 at {DateTimeOffset.UtcNow:O}");
        Signal("-KILL", process.Id);
        await process.WaitForExitAsync();
        await pumps;
        // Its children (Postgres's backends) went with the group; give the kernel a moment to release their ports.
        await Task.Delay(100);
    }

    /// <summary>A graceful stop (SIGTERM, or SIGINT where given), then kill -9 if it takes longer than <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace, string signal = "-TERM")
    {
        if (process is null || process.HasExited)
        {
            return;
        }
        Signal(signal, process.Id);
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
        }
        await pumps;
    }

    private static void Signal(string signal, int pid)
    {
        // The negative pid names the process group that setsid made (its leader's pid).
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { signal, "--", $"-{pid}" }, UseShellExecute = false })!;
        kill.WaitForExit();
    }

    private async Task PumpAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            Log(line);
        }
    }

    private void Log(string line)
    {
        lock (logLock)
        {
            File.AppendAllText(spec.LogPath, line + "\n");
        }
    }

    public async ValueTask DisposeAsync() => await KillAsync();
}
