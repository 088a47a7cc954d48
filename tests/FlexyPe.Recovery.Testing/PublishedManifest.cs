using System.Diagnostics;
using System.Text.Json;

namespace FlexyPe.Recovery.Testing;

/// <summary>
/// The manifest <c>azd</c> reads, written by the real AppHost process (<c>--publisher manifest</c>, no Docker needed;
/// the AppHost must be built): its <c>resources</c>, by name.
/// </summary>
public sealed class PublishedManifest
{
    private PublishedManifest(JsonElement resources) => Resources = resources;

    public JsonElement Resources { get; }

    public JsonElement this[string resource] => Resources.GetProperty(resource);

    public bool Has(string resource) => Resources.TryGetProperty(resource, out _);

    /// <summary>The environment the manifest gives a project, as written (with <c>{…}</c> expressions unresolved).</summary>
    public Dictionary<string, string> EnvironmentOf(string project) =>
        this[project].GetProperty("env").EnumerateObject().ToDictionary(v => v.Name, v => v.Value.GetString() ?? "");

    /// <summary>Runs the AppHost in publish mode with <paramref name="arguments"/> (AppHost settings such as <c>--Infrastructure:Postgres=external</c>).</summary>
    public static async Task<PublishedManifest> WriteAsync(params string[] arguments)
    {
        var output = Path.Combine(Path.GetTempPath(), $"flexype-manifest-{Guid.NewGuid():N}.json");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])["run", "--project", Path.Combine(Repository.Root, "FlexyPe.AppHost"), "--no-build", "--",
                     "--publisher", "manifest", "--output-path", output, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var log = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(cts.Token);
        if (process.ExitCode != 0 || !File.Exists(output))
        {
            throw new InvalidOperationException($"publishing the manifest failed ({process.ExitCode}): {await log}{await errors}");
        }

        try
        {
            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(output));
            return new PublishedManifest(document.RootElement.GetProperty("resources").Clone());
        }
        finally
        {
            File.Delete(output);
        }
    }
}
