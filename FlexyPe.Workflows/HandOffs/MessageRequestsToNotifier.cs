using FlexyPe.Outbox;
using FlexyPe.Workflows.Telemetry;

namespace FlexyPe.Workflows.HandOffs;

/// <summary>
/// Hands message requests to Notifier (<c>POST /api/message-requests/batch</c>, docs/hand-offs.md), many to a request;
/// Notifier dedupes on the idempotency key, which is also the outbox row's key. Each request carries the trace context
/// of its attempt, so its sending goes on in the trace of the step that produced it.
/// </summary>
public sealed class MessageRequestsToNotifier(HttpClient http) : IOutboxSender
{
    private static readonly OutboxBatchFormat Format = new(
        "/api/message-requests/batch", "requests", "request", "idempotency_key", message => message.Key,
        WorkflowsTelemetry.Source, "Hand message requests to Notifier");

    public Task<IReadOnlyList<OutboxOutcome>> SendAsync(IReadOnlyList<OutboxDelivery> batch, CancellationToken cancellationToken)
        => OutboxBatchHttp.PostAsync(http, Format, batch, cancellationToken);
}
