using FlexyPe.Outbox;
using Microsoft.Extensions.Options;

namespace FlexyPe.Notifier.DeliveryEvents;

/// <summary>
/// Hands delivery events to Workflows (<c>POST http://workflows/internal/delivery-events</c>, or wherever
/// <c>Notifier:DeliveryEvents:Endpoint</c> points); Workflows dedupes on the event id.
/// </summary>
public sealed class DeliveryEventsToWorkflows(HttpClient http, IOptions<NotifierOptions> options) : IOutboxSender
{
    public Task<IReadOnlyList<OutboxOutcome>> SendAsync(IReadOnlyList<OutboxDelivery> batch, CancellationToken cancellationToken)
        => OutboxHttp.PostEachAsync(http, options.Value.DeliveryEvents.Endpoint, batch, cancellationToken);
}
