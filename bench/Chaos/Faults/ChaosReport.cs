using System.Text.Json;
using System.Text.Json.Serialization;

namespace FlexyPe.Chaos.Faults;

/// <summary>What <c>bench/results/chaos-latest.json</c> holds: the run's settings and every fault's figures.</summary>
public sealed record ChaosReport
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public required DateTimeOffset StartedAt { get; init; }
    public required string Machine { get; init; }
    public required ScenarioOptions Scenario { get; init; }
    public int Replicas { get; init; }
    public double BounceRate { get; init; }
    public Dictionary<string, string> StackSettings { get; init; } = [];
    public List<FaultResult> Faults { get; init; } = [];
    public DuplicateWindowResult? DuplicateWindow { get; init; }
    /// <summary>Where the webhook secret or the admin key was found (logs, telemetry, databases); empty is right.</summary>
    public List<string> SecretsFound { get; init; } = [];
    public bool Held => Faults.All(f => f.Held) && SecretsFound.Count == 0;
}
