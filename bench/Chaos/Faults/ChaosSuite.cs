using System.Security.Cryptography;
using FlexyPe.Chaos.Stack;

namespace FlexyPe.Chaos.Faults;

public sealed record ChaosSuiteOptions
{
    public required string Directory { get; init; }
    public int Replicas { get; init; } = 1;
    public string Configuration { get; init; } = "Release";
    public ScenarioOptions Scenario { get; init; } = new();
    public double BounceRate { get; init; } = 0.05;
    /// <summary>The faults to run, by name (<see cref="ChaosSuite.Faults"/>); all when null.</summary>
    public IReadOnlyList<string>? Only { get; init; }
    public bool DuplicateWindow { get; init; } = true;
}

/// <summary>
/// The whole fault suite on a fresh deployed stack: a baseline, then Ingest, Workflows, Notifier, Postgres, Redis and
/// the SMTP server each killed (-9) and started again under the journey stream, then the duplicate window injected.
/// </summary>
public static class ChaosSuite
{
    /// <summary>Name → what is killed.</summary>
    public static readonly (string Fault, string? Target)[] Faults =
    [
        ("baseline", null),
        ("ingest", DeployedStack.Ingest),
        ("workflows", DeployedStack.Workflows),
        ("notifier", DeployedStack.Notifier),
        ("postgres", DeployedStack.Postgres),
        ("redis", DeployedStack.Redis),
        ("smtp", DeployedStack.Smtp),
    ];

    /// <summary>The stack's settings for the suite: time compressed 3600× (an hour is a second), quick retries.</summary>
    public static Dictionary<string, string> StackSettings(ScenarioOptions scenario) => new()
    {
        ["Workflows:TimeScale"] = "3600",
        ["Workflows:QuietHours:Enabled"] = "false",
        // Every enrollment treated, every discount step's own rule standing: the checks count what must be sent.
        ["Workflows:Uplift:HoldoutShare"] = "0",
        ["Workflows:Uplift:ExplorationShare"] = "0",
        ["Workflows:FrequencyCap"] = TimeSpan.FromSeconds(scenario.FrequencyCap.TotalSeconds * 3600).ToString(),
        ["Workflows:Seed:AbandonedCheckoutDelays"] = "01:00:00,03:00:00,05:00:00",
        ["Workflows:Seed:AbandonedSessionDelays"] = "02:00:00,04:00:00",
        ["Workflows:Seed:WelcomeDelays"] = "00:00:00,03:00:00",
        ["Notifier:Sending:RetryDelay"] = "00:00:00.500",
        ["Notifier:Sending:MaxRetryDelay"] = "00:00:05",
        ["Notifier:DeliveryEvents:MaxRetryDelay"] = "00:00:05",
    };

    public static async Task<ChaosReport> RunAsync(ChaosSuiteOptions suite, Action<string> log, CancellationToken ct)
    {
        var settings = StackSettings(suite.Scenario);
        await using var otlp = new OtlpCapture(Path.Combine(suite.Directory, "otlp"));
        var stackOptions = new StackOptions
        {
            Directory = suite.Directory,
            WebhookSecret = Secret(),
            AdminApiKey = Secret(),
            Replicas = suite.Replicas,
            Configuration = suite.Configuration,
            BounceRate = suite.BounceRate,
            OtlpEndpoint = otlp.Endpoint,
            Settings = settings,
        };
        var started = DateTimeOffset.UtcNow;
        await using var stack = new DeployedStack(stackOptions);
        log($"starting the deployed stack in {suite.Directory} ({suite.Replicas} of each service)");
        await stack.StartAsync(ct);
        var scenario = new ChaosScenario(stack, suite.Scenario, log);

        var results = new List<FaultResult>();
        foreach (var (fault, target) in Faults.Where(f => suite.Only is null || suite.Only.Contains(f.Fault)))
        {
            // With replicas, one of them dies (the others carry on); Postgres, Redis and the SMTP server are single.
            results.Add(await scenario.RunAsync(fault, target, [0], ct));
        }
        var window = suite.DuplicateWindow ? await scenario.RunDuplicateWindowAsync(ct) : null;
        if (window is not null)
        {
            log($"[duplicate window] {window.WhatHappened}");
        }
        // After all of that, neither secret is in any log, telemetry export or database.
        await Task.Delay(TimeSpan.FromSeconds(3), ct);
        var secretsFound = await SecretScan.FindAsync(stack, otlp.Files,
            new Dictionary<string, string> { ["webhook secret"] = stackOptions.WebhookSecret, ["admin key"] = stackOptions.AdminApiKey }, ct);

        return new ChaosReport
        {
            StartedAt = started,
            Machine = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}",
            Scenario = suite.Scenario,
            Replicas = suite.Replicas,
            BounceRate = suite.BounceRate,
            StackSettings = settings,
            Faults = results,
            DuplicateWindow = window,
            SecretsFound = secretsFound,
        };
    }

    private static string Secret() => Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
}
