using System.Diagnostics;
using System.Text.Json;
using FlexyPe.Notifier.Infrastructure;
using FlexyPe.Outbox;

namespace FlexyPe.Notifier.DeliveryEvents;

public static class DeliveryEventOutbox
{
    /// <summary>
    /// Adds a delivery event to the outbox; it is written when the caller saves, in the caller's transaction, so the
    /// event exists if and only if the change it reports does (and that commit wakes the relay).
    /// </summary>
    public static DeliveryEvent AddDeliveryEvent(
        this NotifierDbContext db, string type, string storeId, string email, string? idempotencyKey,
        string? smtpReply, DateTimeOffset now, string? traceParent = null, int? linkIndex = null, string? url = null)
    {
        var deliveryEvent = new DeliveryEvent(Guid.CreateVersion7(), idempotencyKey, storeId, email, type, now, smtpReply, linkIndex, url);
        db.OutboxMessages.Add(new OutboxMessage
        {
            Key = deliveryEvent.EventId.ToString(),
            Payload = JsonSerializer.Serialize(deliveryEvent, HandOffJson.Options),
            TraceParent = traceParent ?? Activity.Current?.Id,
        });
        return deliveryEvent;
    }
}
