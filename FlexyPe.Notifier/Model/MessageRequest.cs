namespace FlexyPe.Notifier.Model;

/// <summary>One email Workflows asked for, stored before anything else is done with it.</summary>
public sealed class MessageRequest
{
    public Guid Id { get; set; }
    public required string IdempotencyKey { get; set; }
    public required string StoreId { get; set; }
    public string? StoreName { get; set; }
    public required string To { get; set; }
    public required string Subject { get; set; }
    public required string HtmlBody { get; set; }
    public string? TextBody { get; set; }
    public Dictionary<string, string> Tags { get; set; } = [];

    /// <summary>The store's sender as Workflows gave it (its settings); null: Notifier's own setting for the store.</summary>
    public string? From { get; set; }
    public string? ReplyTo { get; set; }

    /// <summary>Whether the store wants its links rewritten through Notifier's click tracking.</summary>
    public bool TrackClicks { get; set; }

    /// <summary>
    /// The URLs of the message's tracked links, in the order of their link index: what <c>/c/{token}</c> redirects to,
    /// and the only URLs it redirects to. Recorded when the message is composed.
    /// </summary>
    public List<string> TrackedLinks { get; set; } = [];

    public string Status { get; set; } = MessageStatus.Pending;
    public int AttemptCount { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>
    /// When a sending loop last claimed it, taken just before it read the suppression list: a suppression committed
    /// before this time was seen; one committed after it may have come too late (the message was already on its way).
    /// </summary>
    public DateTimeOffset? ClaimedAt { get; set; }
    public string? LastSmtpReply { get; set; }

    /// <summary>The Message-ID header (without angle brackets), derived from the idempotency key.</summary>
    public required string MessageId { get; set; }

    /// <summary>The MIME source as it was (last) handed to the SMTP server.</summary>
    public string? Mime { get; set; }

    /// <summary>W3C traceparent of the request that asked for this message, the parent of every send span.</summary>
    public string? TraceParent { get; set; }

    public List<DeliveryAttempt> Attempts { get; set; } = [];
}

/// <summary>The states of a <see cref="MessageRequest"/>, as stored and as shown in the API.</summary>
public static class MessageStatus
{
    public const string Pending = "pending";
    public const string Sent = "sent";
    public const string DeadLettered = "dead_lettered";
    public const string Suppressed = "suppressed";

    public static readonly string[] All = [Pending, Sent, DeadLettered, Suppressed];
}
