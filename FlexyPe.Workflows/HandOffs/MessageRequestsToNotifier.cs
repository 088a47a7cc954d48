using FlexyPe.Outbox;

namespace FlexyPe.Workflows.HandOffs;

/// <summary>Hands message requests to Notifier (<c>POST /api/message-requests</c>); Notifier dedupes on the idempotency key.</summary>
public sealed class MessageRequestsToNotifier(HttpClient http) : IOutboxSender
{
    public Task<IReadOnlyList<OutboxOutcome>> SendAsync(IReadOnlyList<OutboxDelivery> batch, CancellationToken cancellationToken)
        => OutboxHttp.PostEachAsync(http, "/api/message-requests", batch, cancellationToken);
}
