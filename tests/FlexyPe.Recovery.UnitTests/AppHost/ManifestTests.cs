using System.Diagnostics;
using System.Text.Json;

namespace FlexyPe.Recovery.UnitTests.AppHost;

/// <summary>The manifest that <c>azd</c> reads, written by the real AppHost process without Docker.</summary>
public sealed class ManifestTests
{
    [Fact]
    public async Task Manifest_names_every_service_database_redis_and_the_secret_parameters()
    {
        var output = Path.Combine(Path.GetTempPath(), $"flexype-manifest-{Guid.NewGuid():N}.json");
        var appHost = Path.Combine(Repository.Root, "FlexyPe.AppHost");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { "run", "--project", appHost, "--no-build", "--", "--publisher", "manifest", "--output-path", output },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var log = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(cts.Token);
        Assert.True(process.ExitCode == 0, $"publish failed: {await log}{await errors}");

        var resources = JsonDocument.Parse(await File.ReadAllTextAsync(output)).RootElement.GetProperty("resources");
        File.Delete(output);

        foreach (var name in new[] { "ingest", "workflows", "notifier" })
        {
            Assert.Equal("project.v0", resources.GetProperty(name).GetProperty("type").GetString());
        }
        foreach (var name in new[] { "ingestdb", "workflowsdb", "notifierdb" })
        {
            Assert.Equal("value.v0", resources.GetProperty(name).GetProperty("type").GetString());
        }
        Assert.StartsWith("container.", resources.GetProperty("postgres").GetProperty("type").GetString());
        Assert.StartsWith("container.", resources.GetProperty("redis").GetProperty("type").GetString());
        foreach (var name in new[] { "flexype-webhook-secret", "admin-api-key" })
        {
            var parameter = resources.GetProperty(name);
            Assert.Equal("parameter.v0", parameter.GetProperty("type").GetString());
            Assert.True(parameter.GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean());
        }

        var ingestEnvironment = resources.GetProperty("ingest").GetProperty("env");
        Assert.Equal("{flexype-webhook-secret.value}", ingestEnvironment.GetProperty("Ingest__WebhookSecrets__0").GetString());
    }
}
