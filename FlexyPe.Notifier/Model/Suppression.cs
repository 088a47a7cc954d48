namespace FlexyPe.Notifier.Model;

/// <summary>An address a store must not email again: unsubscribed, hard-bounced or added by an operator.</summary>
public sealed class Suppression
{
    public required string StoreId { get; set; }

    /// <summary>Lower-cased.</summary>
    public required string Email { get; set; }
    public required string Reason { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public static class SuppressionReason
{
    public const string Unsubscribed = "unsubscribed";
    public const string HardBounce = "hard_bounce";
    public const string Operator = "operator";
}
