using System.Diagnostics;
using System.Text.Json;
using FlexyPe.Notifier.Infrastructure;

namespace FlexyPe.Notifier.DeliveryEvents;

public static class DeliveryEventOutbox
{
    /// <summary>
    /// Adds a delivery event to the outbox; it is written when the caller saves, in the caller's transaction, so the
    /// event exists if and only if the change it reports does.
    /// </summary>
    public static DeliveryEvent AddDeliveryEvent(
        this NotifierDbContext db, string type, string storeId, string email, string? idempotencyKey,
        string? smtpReply, DateTimeOffset now, string? traceParent = null, int? linkIndex = null, string? url = null)
    {
        var deliveryEvent = new DeliveryEvent(Guid.CreateVersion7(), idempotencyKey, storeId, email, type, now, smtpReply, linkIndex, url);
        db.OutboxMessages.Add(new OutboxMessage
        {
            Id = deliveryEvent.EventId,
            Type = type,
            Payload = JsonSerializer.Serialize(deliveryEvent, HandOffJson.Options),
            TraceParent = traceParent ?? Activity.Current?.Id,
            CreatedAt = now,
            NextAttemptAt = now,
        });
        return deliveryEvent;
    }
}
