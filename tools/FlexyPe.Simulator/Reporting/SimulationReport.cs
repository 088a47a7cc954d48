using System.Text.Json;
using System.Text.Json.Serialization;
using FlexyPe.Simulator.Delivery;

namespace FlexyPe.Simulator.Reporting;

/// <summary>
/// What the simulator sent and what was acknowledged, per event, so a test or an operator can compare it with what
/// the system stored. It never contains the secret.
/// </summary>
public sealed record SimulationReport
{
    public required string Mode { get; init; }
    public required string RunId { get; init; }
    public int Seed { get; init; }
    public required string Target { get; init; }
    public required string PayloadVersion { get; init; }
    public double RetryScale { get; init; }
    public IReadOnlyList<double> RetryScheduleMs { get; init; } = [];
    public double TimeoutSeconds { get; init; }
    public double DuplicateRate { get; init; }
    public int Concurrency { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset FinishedAt { get; init; }
    public required ReportSummary Summary { get; init; }
    public LoadMeasurement? Load { get; init; }
    public required IReadOnlyList<EventRecord> Events { get; init; }

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        // Read-only lists (attempts, duplicates) are filled in when a report is read back.
        PreferredObjectCreationHandling = JsonObjectCreationHandling.Populate,
    };

    public static ReportSummary Summarize(IReadOnlyList<EventRecord> events)
    {
        var duplicates = events.SelectMany(e => e.Duplicates).ToList();
        return new ReportSummary(
            Events: events.Count,
            Acknowledged: events.Count(e => e.FinalStatus == DeliveryRecord.Acknowledged),
            Failed: events.Count(e => e.FinalStatus == DeliveryRecord.Failed),
            Retried: events.Count(e => e.Delivery.Attempts.Count > 1),
            Attempts: events.Sum(e => e.Delivery.Attempts.Count) + duplicates.Sum(d => d.Attempts.Count),
            DuplicatesSent: duplicates.Count,
            DuplicatesAcknowledgedAsDuplicate: duplicates.Count(d => d.AcknowledgedAsDuplicate == true),
            ByKind: events.GroupBy(e => e.Kind).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count()),
            ByVersion: events.GroupBy(e => e.PayloadVersion).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count()));
    }

    public async Task WriteAsync(string path, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, this, JsonOptions, cancellationToken);
    }

    public static async Task<SimulationReport> ReadAsync(string path) =>
        JsonSerializer.Deserialize<SimulationReport>(await File.ReadAllTextAsync(path), JsonOptions)
        ?? throw new InvalidDataException($"{path} is not a simulator report.");
}

public sealed record ReportSummary(
    int Events,
    int Acknowledged,
    int Failed,
    int Retried,
    int Attempts,
    int DuplicatesSent,
    int DuplicatesAcknowledgedAsDuplicate,
    IReadOnlyDictionary<string, int> ByKind,
    IReadOnlyDictionary<string, int> ByVersion);
