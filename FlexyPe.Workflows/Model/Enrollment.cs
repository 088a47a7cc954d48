namespace FlexyPe.Workflows.Model;

/// <summary>A shopper going through one sequence version: one per checkout (ACR), browsing session (ASR) or new customer.</summary>
public sealed class Enrollment
{
    public Guid Id { get; set; }
    public required string StoreId { get; set; }
    public Guid SequenceId { get; set; }
    public required string SequenceKey { get; set; }
    public required string Trigger { get; set; }
    /// <summary>Checkout key, session key or customer identity, unique per store and trigger.</summary>
    public required string SubjectKey { get; set; }
    public string? ShopperEmail { get; set; }
    /// <summary>E.164, for finding a shopper by phone; never in logs or telemetry.</summary>
    public string? ShopperPhone { get; set; }
    public string State { get; set; } = EnrollmentStates.Active;
    public string? EndReason { get; set; }
    public string? SessionState { get; set; }
    /// <summary>The latest normalized event (jsonb) the templates render.</summary>
    public required string Context { get; set; }
    public DateTimeOffset ContextOccurredAt { get; set; }
    public DateTimeOffset EnrolledAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public List<ScheduledStep> Steps { get; set; } = [];
}

public static class EnrollmentStates
{
    public const string Active = "active";
    /// <summary>Every step ran.</summary>
    public const string Finished = "finished";
    /// <summary>An exit rule, a purchase or an unsubscribe ended it early.</summary>
    public const string Ended = "ended";
    /// <summary>A purchase was attributed to one of its messages.</summary>
    public const string Recovered = "recovered";
}
