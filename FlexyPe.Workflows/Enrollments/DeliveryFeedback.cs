using FlexyPe.Workflows.Infrastructure;
using FlexyPe.Workflows.Model;
using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Workflows.Enrollments;

/// <summary>What <c>POST /internal/delivery-events</c> takes from Notifier (docs/hand-offs.md); a click names its link.</summary>
public sealed record DeliveryEventMessage(
    string? EventId, string? IdempotencyKey, string? StoreId, string? Email, string? Type, DateTimeOffset? OccurredAt, string? SmtpReply,
    int? LinkIndex = null, string? Url = null);

public static class DeliveryEventTypes
{
    public const string Unsubscribed = "unsubscribed";
    public const string Suppressed = "suppressed";
    /// <summary>The shopper clicked a tracked link of the message (Notifier's <c>/c/{token}</c>).</summary>
    public const string Clicked = "clicked";
    public static readonly string[] All = ["sent", "failed", "dead_lettered", Unsubscribed, Suppressed, Clicked];
    public static readonly string[] EndEverything = [Unsubscribed, Suppressed];
    /// <summary>What a step's <c>delivery_status</c> shows: how the message went out, not what the shopper did with it.</summary>
    public static readonly string[] Delivery = ["sent", "failed", "dead_lettered", Unsubscribed, Suppressed];
}

/// <summary>Records Notifier's delivery events once each; an unsubscribe or suppression ends every enrollment of the address.</summary>
public sealed class DeliveryFeedback(WorkflowsDbContext db, WorkflowClock clock, EnrollmentEnding ending)
{
    public async Task<IntakeResult> HandleAsync(DeliveryEventMessage message, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var email = string.IsNullOrWhiteSpace(message.Email) ? null : message.Email.Trim().ToLowerInvariant();
        var inserted = await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO delivery_events (event_id, idempotency_key, store_id, email, type, occurred_at, link_index, url)
            VALUES ({message.EventId}, {message.IdempotencyKey}, {message.StoreId}, {email}, {message.Type}, {message.OccurredAt ?? clock.Now},
                    {message.LinkIndex}, {message.Url})
            ON CONFLICT DO NOTHING
            """, ct);
        if (inserted == 0)
        {
            await transaction.CommitAsync(ct);
            return IntakeResult.Duplicate;
        }
        if (message.IdempotencyKey is not null && DeliveryEventTypes.Delivery.Contains(message.Type))
        {
            await db.ScheduledSteps.Where(s => s.IdempotencyKey == message.IdempotencyKey)
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.DeliveryStatus, message.Type), ct);
        }
        if (email is not null && DeliveryEventTypes.EndEverything.Contains(message.Type))
        {
            await ending.LockAsync(message.StoreId!, "shopper:" + email, ct);
            var enrollments = await db.Enrollments
                .Where(x => x.StoreId == message.StoreId && x.ShopperEmail == email && x.State == EnrollmentStates.Active)
                .ToListAsync(ct);
            foreach (var enrollment in enrollments)
            {
                await ending.EndAsync(enrollment, EnrollmentStates.Ended, message.Type!, ct);
            }
        }
        await transaction.CommitAsync(ct);
        return IntakeResult.Accepted;
    }
}
