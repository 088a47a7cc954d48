namespace FlexyPe.Outbox;

/// <summary>
/// A hand-off waiting to leave the service, written in the same transaction as the change it reports, so it exists if
/// and only if that change does. The relay delivers it until the receiver takes it, for as long as that takes.
/// </summary>
public sealed class OutboxMessage
{
    public long Id { get; set; }

    /// <summary>What the receiver dedupes on (an event id, an idempotency key); also how an operator finds the row.</summary>
    public required string Key { get; set; }

    /// <summary>
    /// The JSON to send (json: kept as written). Null when the sender reads what it sends from its own tables by <see cref="Key"/>, so
    /// a service need not store a second copy of a large payload.
    /// </summary>
    public string? Payload { get; set; }

    /// <summary>
    /// Rows with the same ordering key (for Ingest's hand-offs: one shopper of one store) are sent in the same batch, in
    /// the order written, so the receiver's work on one shopper is not split across concurrent batches that wait on
    /// each other's locks. Null: the row goes wherever there is room.
    /// </summary>
    public string? OrderingKey { get; set; }

    /// <summary>The W3C trace context of the work that wrote the row; each attempt continues that trace.</summary>
    public string? TraceParent { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }

    /// <summary>Why the last attempt failed; null once delivered.</summary>
    public string? LastError { get; set; }
}
