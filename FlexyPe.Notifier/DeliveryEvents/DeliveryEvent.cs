namespace FlexyPe.Notifier.DeliveryEvents;

/// <summary>
/// What Notifier tells Workflows about a message or an address (docs/hand-offs.md). A <c>clicked</c> event names the
/// link: its position in the message (<see cref="LinkIndex"/>) and its URL.
/// </summary>
public sealed record DeliveryEvent(
    Guid EventId,
    string? IdempotencyKey,
    string StoreId,
    string Email,
    string Type,
    DateTimeOffset OccurredAt,
    string? SmtpReply,
    int? LinkIndex = null,
    string? Url = null);

public static class DeliveryEventType
{
    public const string Sent = "sent";
    public const string Failed = "failed";
    public const string DeadLettered = "dead_lettered";
    public const string Unsubscribed = "unsubscribed";
    public const string Suppressed = "suppressed";
    public const string Clicked = "clicked";
}
