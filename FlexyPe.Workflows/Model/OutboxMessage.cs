namespace FlexyPe.Workflows.Model;

/// <summary>A message request for Notifier, written in the same transaction as the step that produced it.</summary>
public sealed class OutboxMessage
{
    public Guid Id { get; set; }
    /// <summary>Unique: a step that already produced its request never produces another.</summary>
    public required string IdempotencyKey { get; set; }
    /// <summary>The <see cref="MessageRequest"/> JSON (jsonb).</summary>
    public required string Payload { get; set; }
    /// <summary>W3C traceparent of the span that wrote it, so the trace continues in Notifier.</summary>
    public string? TraceParent { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
    public string? LastError { get; set; }
}
