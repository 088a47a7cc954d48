namespace FlexyPe.Workflows.Model;

/// <summary>An event Workflows has taken in, keyed on (store, event id) so a repeat changes nothing.</summary>
public sealed class ReceivedEvent
{
    public required string StoreId { get; set; }
    public required string EventId { get; set; }
    public required string Type { get; set; }
    public string? ShopperEmail { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    /// <summary>The normalized event as Ingest sent it (jsonb).</summary>
    public required string Payload { get; set; }
}
