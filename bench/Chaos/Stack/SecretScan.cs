using System.Diagnostics;
using System.Text;

namespace FlexyPe.Chaos.Stack;

/// <summary>
/// Looks for secrets where they must never be: every process's console log, every telemetry export (traces, metrics,
/// logs) and a dump of every database. Returns, per secret and place, where it was found; empty when nowhere.
/// </summary>
public static class SecretScan
{
    public static async Task<List<string>> FindAsync(DeployedStack stack, IEnumerable<string> otlpFiles, IReadOnlyDictionary<string, string> secrets, CancellationToken ct)
    {
        var places = new List<(string Place, byte[] Content)>();
        foreach (var log in Directory.EnumerateFiles(stack.LogDirectory))
        {
            places.Add(($"log {Path.GetFileName(log)}", await File.ReadAllBytesAsync(log, ct)));
        }
        foreach (var export in otlpFiles)
        {
            places.Add(($"telemetry {Path.GetFileName(export)}", await File.ReadAllBytesAsync(export, ct)));
        }
        foreach (var database in DeployedStack.Databases)
        {
            places.Add(($"database {database}", await DumpAsync(stack, database, ct)));
        }
        if (places.Count(p => p.Place.StartsWith("database", StringComparison.Ordinal) && p.Content.Length > 0) != DeployedStack.Databases.Length)
        {
            throw new InvalidOperationException("A database dump came back empty: nothing would be found in it.");
        }

        var found = new List<string>();
        foreach (var (name, secret) in secrets)
        {
            var needle = Encoding.UTF8.GetBytes(secret);
            found.AddRange(places.Where(p => p.Content.AsSpan().IndexOf(needle) >= 0).Select(p => $"{name} in {p.Place}"));
        }
        return found;
    }

    private static async Task<byte[]> DumpAsync(DeployedStack stack, string database, CancellationToken ct)
    {
        var pgDump = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin", "pg_dump")).Where(File.Exists).Max()!;
        var start = new ProcessStartInfo(pgDump) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-h", "127.0.0.1", "-p", stack.Port(DeployedStack.Postgres).ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "postgres", database })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        using var output = new MemoryStream();
        var copying = process.StandardOutput.BaseStream.CopyToAsync(output, ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        await copying;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"pg_dump {database} failed: {await errors}");
        }
        return output.ToArray();
    }
}
