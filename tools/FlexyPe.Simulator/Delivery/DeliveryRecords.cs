using FlexyPe.Simulator.Generation;

namespace FlexyPe.Simulator.Delivery;

/// <summary>One HTTP attempt: when (ms since the run started), after what planned wait, and what came back.</summary>
public sealed record AttemptRecord(int Number, double AtMs, double PlannedDelayMs, int? Status, string? Error, bool? AcknowledgedAsDuplicate, double LatencyMs)
{
    /// <summary>Whether a refusal said when to come back (<c>Retry-After</c>), as a 503 must.</summary>
    public bool RetryAfter { get; init; }
}

/// <summary>One delivery of an event (the first, or a duplicate), with its retries.</summary>
public sealed class DeliveryRecord
{
    public const string Acknowledged = "acknowledged";
    public const string Failed = "failed";

    public List<AttemptRecord> Attempts { get; } = [];
    public string Status { get; set; } = Failed;

    /// <summary>The <c>duplicate</c> flag of the 200 answer, when the receiver gave one.</summary>
    public bool? AcknowledgedAsDuplicate { get; set; }
}

/// <summary>An event the simulator sent, and what became of it.</summary>
public sealed class EventRecord
{
    public required string EventId { get; init; }
    public int Journey { get; init; }
    public required string Kind { get; init; }
    public required string PayloadVersion { get; init; }
    public required string StoreDomain { get; init; }
    public string? Email { get; init; }
    public string? CheckoutKey { get; init; }
    public string? SessionState { get; init; }
    public required DeliveryRecord Delivery { get; init; }
    public List<DeliveryRecord> Duplicates { get; } = [];

    public string FinalStatus => Delivery.Status;

    public static EventRecord For(SimulatedEvent e, DeliveryRecord delivery) => new()
    {
        EventId = e.EventId,
        Journey = e.Journey,
        Kind = e.Kind.ToString(),
        PayloadVersion = e.PayloadVersion,
        StoreDomain = e.StoreDomain,
        Email = e.Email,
        CheckoutKey = e.CheckoutKey,
        SessionState = e.SessionState,
        Delivery = delivery,
    };
}
