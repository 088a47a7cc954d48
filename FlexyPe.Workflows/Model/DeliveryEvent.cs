namespace FlexyPe.Workflows.Model;

/// <summary>A delivery event from Notifier, kept once per event id.</summary>
public sealed class DeliveryEvent
{
    public required string EventId { get; set; }
    public string? IdempotencyKey { get; set; }
    public required string StoreId { get; set; }
    public string? Email { get; set; }
    public required string Type { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    /// <summary>A click's link: its position in the message (Notifier's link index) and its URL.</summary>
    public int? LinkIndex { get; set; }
    public string? Url { get; set; }
}
