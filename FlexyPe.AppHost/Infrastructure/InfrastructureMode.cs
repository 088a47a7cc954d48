using System.Diagnostics;

namespace FlexyPe.AppHost.Infrastructure;

/// <summary>How Postgres, Redis and the mail sink run: as containers, or as programs installed on this machine.</summary>
public enum InfrastructureMode
{
    Containers,
    LocalProcesses,
}

/// <summary>What the AppHost can see of the machine when it chooses an <see cref="InfrastructureMode"/>.</summary>
public interface IMachineProbe
{
    /// <summary><c>docker info</c> or <c>podman info</c> exits 0 within a few seconds.</summary>
    bool ContainerRuntimeAnswers();

    /// <summary>The programs local-process mode needs that are not installed (empty when all are).</summary>
    IReadOnlyList<string> MissingLocalPrograms();
}

/// <summary>Picks the infrastructure mode from configuration (<c>Infrastructure:Mode</c>) and the machine.</summary>
public static class InfrastructureModeChooser
{
    public const string ConfigurationKey = "Infrastructure:Mode";

    /// <summary>
    /// <paramref name="configured"/> is <c>auto</c> (or empty), <c>containers</c> or <c>local</c>. Publishing always uses
    /// containers. Auto prefers a container runtime that answers, then local programs; with neither it throws one
    /// message that says what to install.
    /// </summary>
    public static InfrastructureMode Choose(string? configured, bool isPublishMode, IMachineProbe machine)
    {
        if (isPublishMode)
        {
            return InfrastructureMode.Containers;
        }

        switch (configured?.Trim().ToLowerInvariant())
        {
            case "containers" or "container" or "docker":
                return InfrastructureMode.Containers;
            case "local" or "localprocesses" or "processes":
                var missingForForced = machine.MissingLocalPrograms();
                if (missingForForced.Count > 0)
                {
                    throw new InfrastructureUnavailableException(
                        $"{ConfigurationKey}=local was asked for, but these programs are missing: {string.Join(", ", missingForForced)}. "
                        + "On Debian/Ubuntu: sudo apt-get install postgresql redis-server, then 'dotnet tool restore' in the repository.");
                }
                return InfrastructureMode.LocalProcesses;
            case null or "" or "auto":
                break;
            default:
                throw new InfrastructureUnavailableException(
                    $"{ConfigurationKey} is '{configured}'; use 'auto', 'containers' or 'local'.");
        }

        if (machine.ContainerRuntimeAnswers())
        {
            return InfrastructureMode.Containers;
        }

        var missing = machine.MissingLocalPrograms();
        if (missing.Count == 0)
        {
            return InfrastructureMode.LocalProcesses;
        }

        throw new InfrastructureUnavailableException(
            "FlexyPe Recovery needs Postgres, Redis and a mail sink, and cannot run them here: no container runtime answers "
            + $"('docker info' / 'podman info'), and these local programs are missing: {string.Join(", ", missing)}. "
            + "Either start Docker or Podman, or install the Debian packages: sudo apt-get install postgresql redis-server.");
    }
}

/// <summary>Neither containers nor local programs can provide the infrastructure; the message says what to install.</summary>
public sealed class InfrastructureUnavailableException(string message) : Exception(message);

/// <summary>Looks at the real machine.</summary>
public sealed class MachineProbe : IMachineProbe
{
    private static readonly TimeSpan RuntimeProbeTimeout = TimeSpan.FromSeconds(5);

    public bool ContainerRuntimeAnswers() => Answers("docker") || Answers("podman");

    public IReadOnlyList<string> MissingLocalPrograms()
    {
        var missing = new List<string>();
        if (LocalPostgres.FindBinDirectory() is null)
        {
            missing.Add("postgres (Debian package 'postgresql')");
        }
        if (FindOnPath("redis-server") is null)
        {
            missing.Add("redis-server (Debian package 'redis-server')");
        }
        return missing;
    }

    internal static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(File.Exists);

    private static bool Answers(string runtime)
    {
        if (FindOnPath(runtime) is null)
        {
            return false;
        }

        try
        {
            using var process = Process.Start(new ProcessStartInfo(runtime, "info")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return false;
            }

            // Drain both streams so a chatty runtime cannot block on a full pipe.
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(RuntimeProbeTimeout))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
