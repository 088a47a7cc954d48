namespace FlexyPe.Ingest.Model;

/// <summary>A delivery that was verified, understood enough to have an event id, and committed.</summary>
public sealed class StoredEvent
{
    public long Id { get; set; }
    public required string StoreId { get; set; }
    public required string EventId { get; set; }
    public required string Type { get; set; }
    public required string PayloadVersion { get; set; }
    public DateTimeOffset? OccurredAt { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }

    /// <summary>The shopper's lower-cased email, for operators' look-ups.</summary>
    public string? Email { get; set; }
    public string? CheckoutKey { get; set; }

    /// <summary>The body as FlexyPe sent it, byte for byte (as text).</summary>
    public required string Raw { get; set; }

    /// <summary>The request headers, without the secret.</summary>
    public required string Headers { get; set; }

    /// <summary>The <see cref="FlexyPeEvent"/> made from it.</summary>
    public required string Normalized { get; set; }
}

/// <summary>An authenticated delivery that could not be accepted, kept for an operator with the reason why.</summary>
public sealed class RejectedDelivery
{
    public long Id { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public required string Reason { get; set; }
    public int StatusCode { get; set; }
    public string? EventId { get; set; }
    public string? PathKind { get; set; }

    /// <summary>The body as text: it may not be JSON at all.</summary>
    public required string Body { get; set; }
    public required string Headers { get; set; }
}
