using System.Diagnostics;
using FlexyPe.Recovery.Testing;

namespace FlexyPe.Recovery.StackTests.Proxied;

/// <summary>A program the deployed-shape rig runs (a service, Postgres, Redis), with its last lines of output kept.</summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly RecentLines output = new();
    private readonly bool interruptToStop;

    public string Name { get; }

    /// <summary>The last lines the program wrote, for a failure message.</summary>
    public string Output => output.ToString();

    public bool HasExited => process.HasExited;

    private ChildProcess(string name, Process process, bool interruptToStop)
    {
        Name = name;
        this.process = process;
        this.interruptToStop = interruptToStop;
    }

    /// <param name="interruptToStop">Stop with SIGINT first (Postgres's fast shutdown) rather than at once.</param>
    public static ChildProcess Start(string name, string program, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null, bool interruptToStop = false)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var child = new ChildProcess(name, Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}"), interruptToStop);
        child.process.OutputDataReceived += (_, e) => child.output.Add(e.Data);
        child.process.ErrorDataReceived += (_, e) => child.output.Add(e.Data);
        child.process.BeginOutputReadLine();
        child.process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Runs a program to its end; throws with its output when it fails.</summary>
    public static async Task RunAsync(string program, params string[] arguments)
    {
        await using var child = Start(program, program, arguments);
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await child.process.WaitForExitAsync(cts.Token);
        child.process.WaitForExit(); // the output handlers have seen everything
        if (child.process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {child.process.ExitCode}: {child.Output}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited && interruptToStop)
        {
            using var interrupt = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await interrupt.WaitForExitAsync();
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                // Killed below.
            }
        }
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }
}
