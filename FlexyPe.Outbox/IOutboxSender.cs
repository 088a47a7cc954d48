namespace FlexyPe.Outbox;

/// <summary>
/// What a service writes for its own outbox: how to hand rows to the receiver. Everything else (claiming, retries,
/// backoff, wake-ups, spans, counts) is the relay's.
/// </summary>
public interface IOutboxSender
{
    /// <summary>
    /// Sends up to <see cref="OutboxOptions.SendBatchSize"/> rows and returns one outcome per row, in the order given.
    /// Throwing means none of them was taken for certain: all are retried (the receiver dedupes).
    /// </summary>
    Task<IReadOnlyList<OutboxOutcome>> SendAsync(IReadOnlyList<OutboxDelivery> batch, CancellationToken cancellationToken);
}

/// <summary>
/// A row on its way, with the trace context to send along: that of this attempt's span, which continues the trace the
/// row was written in. With one row per call the span is also <see cref="System.Diagnostics.Activity.Current"/>.
/// </summary>
public sealed record OutboxDelivery(OutboxMessage Message, string? TraceParent);

/// <summary>
/// How one row fared: delivered (the receiver took it, or had it already), failed with a reason (tried again later),
/// or refused: the receiver said the content itself will never do (a 400), so trying again would only repeat that for
/// ever. A refused row is settled with its reason kept on it (<c>last_error</c>), for an operator to see.
/// </summary>
public readonly record struct OutboxOutcome(string? Error, bool Refusal = false)
{
    public static OutboxOutcome Delivered => default;

    public static OutboxOutcome Failed(string error) => new(error);

    public static OutboxOutcome Refused(string reason) => new(reason, Refusal: true);

    public bool IsDelivered => Error is null;

    public bool IsRefused => Refusal && Error is not null;
}
