namespace FlexyPe.Notifier.DeliveryEvents;

/// <summary>What Notifier tells Workflows about a message or an address (docs/hand-offs.md).</summary>
public sealed record DeliveryEvent(
    Guid EventId,
    string? IdempotencyKey,
    string StoreId,
    string Email,
    string Type,
    DateTimeOffset OccurredAt,
    string? SmtpReply);

public static class DeliveryEventType
{
    public const string Sent = "sent";
    public const string Failed = "failed";
    public const string DeadLettered = "dead_lettered";
    public const string Unsubscribed = "unsubscribed";
    public const string Suppressed = "suppressed";
}
