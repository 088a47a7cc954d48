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
    /// <summary>
    /// The latest event of the subject, the one the templates render: its id in <c>received_events</c> (of this store),
    /// which holds its JSON once, rather than a second copy here.
    /// </summary>
    public required string ContextEventId { get; set; }
    public DateTimeOffset ContextOccurredAt { get; set; }
    public DateTimeOffset EnrolledAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>
    /// Held out of the store's messages (enrolled and tracked, sent nothing), so what the messages add can be measured.
    /// Decided once, by a hash of store and subject (<see cref="Uplift.Holdout"/>); never changes.
    /// </summary>
    public bool HeldOut { get; set; }
    /// <summary>
    /// The discount arm of a treated enrollment whose sequence has a discount step (<see cref="Uplift.DiscountArms"/>):
    /// explore_offer, explore_withhold or policy; null when held out or the sequence has no discount. Drawn once.
    /// </summary>
    public string? DiscountArm { get; set; }
    /// <summary>The <see cref="Uplift.RecoveryFeatures"/> the uplift model sees (jsonb), as of the latest abandonment event.</summary>
    public string? Features { get; set; }
    /// <summary>
    /// When the purchase this enrollment led to was made, held out or not: its own checkout completed, else the shopper's
    /// latest recovery enrollment within the attribution window. The outcome the holdout report and the uplift model read.
    /// </summary>
    public DateTimeOffset? PurchasedAt { get; set; }
    public decimal? PurchaseRevenue { get; set; }

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
