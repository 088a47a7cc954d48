namespace FlexyPe.Notifier.Model;

/// <summary>One try at handing a message to the SMTP server, with what the server answered.</summary>
public sealed class DeliveryAttempt
{
    public long Id { get; set; }
    public Guid MessageRequestId { get; set; }
    public DateTimeOffset AttemptedAt { get; set; }

    /// <summary><c>sent</c>, <c>transient_failure</c> or <c>permanent_failure</c>.</summary>
    public required string Outcome { get; set; }
    public string? SmtpReply { get; set; }

    /// <summary>Which Notifier process made the attempt (machine and process id).</summary>
    public required string Worker { get; set; }
}

public static class AttemptOutcome
{
    public const string Sent = "sent";
    public const string TransientFailure = "transient_failure";
    public const string PermanentFailure = "permanent_failure";
}
