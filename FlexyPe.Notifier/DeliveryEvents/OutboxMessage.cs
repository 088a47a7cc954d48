namespace FlexyPe.Notifier.DeliveryEvents;

/// <summary>A delivery event waiting to reach Workflows, written in the same transaction as the change it reports.</summary>
public sealed class OutboxMessage
{
    /// <summary>The event id Workflows dedupes on.</summary>
    public Guid Id { get; set; }
    public required string Type { get; set; }

    /// <summary>The JSON body posted to Workflows.</summary>
    public required string Payload { get; set; }
    public string? TraceParent { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public int AttemptCount { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
    public string? LastError { get; set; }
}
