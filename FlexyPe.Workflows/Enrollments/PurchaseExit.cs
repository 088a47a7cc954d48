using FlexyPe.Workflows.HandOffs;
using FlexyPe.Workflows.Infrastructure;
using FlexyPe.Workflows.Model;
using FlexyPe.Workflows.Stores;
using FlexyPe.Workflows.Telemetry;
using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Workflows.Enrollments;

/// <summary>
/// What a purchase (an ACR delivery with <c>session_state: COMPLETED</c>) does: the checkout's enrollment ends, the
/// recovery is attributed to the last recovery message sent within the store's attribution window, and the shopper's
/// other enrollments follow their sequences' exit rules (<see cref="ExitRules.Purchase"/>,
/// <see cref="ExitRules.PurchaseEndsDiscountSteps"/>). The purchase is also recorded as one enrollment's outcome,
/// held out or not (<see cref="RecordOutcomeAsync"/>): what the holdout report and the uplift model count.
/// </summary>
public sealed class PurchaseExit(
    WorkflowsDbContext db, WorkflowClock clock, EnrollmentEnding ending, StoreSettingsCatalog stores, WorkflowsTelemetry telemetry,
    CountsOnCommit counts)
{
    public async Task HandleAsync(WorkflowEvent e, string checkoutKey, DateTimeOffset now, CancellationToken ct)
    {
        var email = e.ShopperEmail;
        var checkoutEnrollment = await db.Enrollments
            .FirstOrDefaultAsync(x => x.StoreId == e.StoreId && x.Trigger == EventTypes.AbandonedCheckout && x.SubjectKey == checkoutKey, ct);
        if (checkoutEnrollment is not null)
        {
            checkoutEnrollment.SessionState = SessionStates.Completed;
            checkoutEnrollment.ContextEventId = e.EventId;
            checkoutEnrollment.ContextOccurredAt = e.HappenedAt(now);
        }

        await AttributeAsync(e, checkoutKey, checkoutEnrollment, now, ct);
        await RecordOutcomeAsync(e, checkoutEnrollment, now, ct);
        if (checkoutEnrollment is not null)
        {
            await ending.EndAsync(checkoutEnrollment, EnrollmentStates.Ended, "checkout completed", ct);
        }
        await db.SaveChangesAsync(ct);

        if (email is not null)
        {
            await ending.EndForShopperAsync(e.StoreId, email, checkoutEnrollment?.Id, ExitRules.Purchase, "shopper purchased", ct);
            await EndDiscountStepsAsync(e.StoreId, email, ct);
        }
    }

    /// <summary>
    /// Records the recovery against the recovery message (abandoned checkout or session; a welcome is not one) that
    /// brought the shopper back: the last one they clicked within the attribution window, else the last one sent to
    /// them (or on this checkout when there is no email) within it.
    /// </summary>
    private async Task AttributeAsync(WorkflowEvent e, string checkoutKey, Enrollment? checkoutEnrollment, DateTimeOffset now, CancellationToken ct)
    {
        var email = e.ShopperEmail;
        var settings = await stores.ForStoreAsync(e.StoreId, ct);
        var since = now - clock.Scale(settings.AttributionWindow);
        var checkoutEnrollmentId = checkoutEnrollment?.Id ?? Guid.Empty;
        var messages =
            from step in db.ScheduledSteps
            join enrollment in db.Enrollments on step.EnrollmentId equals enrollment.Id
            where enrollment.StoreId == e.StoreId && EventTypes.Recovery.Contains(enrollment.Trigger)
                && (email != null ? enrollment.ShopperEmail == email : enrollment.Id == checkoutEnrollmentId)
                && step.State == StepStates.Sent && step.FiredAt <= now
            select new { Step = step, Enrollment = enrollment };
        var lastClicked = await (
            from message in messages
            join click in db.DeliveryEvents on message.Step.IdempotencyKey equals click.IdempotencyKey
            where click.Type == DeliveryEventTypes.Clicked && click.OccurredAt >= since && click.OccurredAt <= now
            orderby click.OccurredAt descending
            select new { message.Step.StepNumber, message.Enrollment })
            .FirstOrDefaultAsync(ct);
        var lastMessage = lastClicked ?? await messages
            .Where(m => m.Step.FiredAt >= since)
            .OrderByDescending(m => m.Step.FiredAt)
            .Select(m => new { m.Step.StepNumber, m.Enrollment })
            .FirstOrDefaultAsync(ct);
        if (lastMessage is null || await db.Recoveries.AnyAsync(r => r.StoreId == e.StoreId && r.CheckoutKey == checkoutKey, ct))
        {
            return;
        }

        db.Recoveries.Add(new Recovery
        {
            Id = Guid.CreateVersion7(), StoreId = e.StoreId, CheckoutKey = checkoutKey,
            EnrollmentId = lastMessage.Enrollment.Id, SequenceId = lastMessage.Enrollment.SequenceId,
            SequenceKey = lastMessage.Enrollment.SequenceKey, StepNumber = lastMessage.StepNumber,
            Revenue = e.Checkout?.TotalPayable ?? 0m, RecoveredAt = now,
        });
        await db.SaveChangesAsync(ct);
        counts.Add(telemetry.Recoveries, 1, new KeyValuePair<string, object?>("sequence", lastMessage.Enrollment.SequenceKey));
        await ending.EndAsync(lastMessage.Enrollment, EnrollmentStates.Recovered, "recovered: checkout completed", ct);
        if (lastMessage.Enrollment.State != EnrollmentStates.Recovered)
        {
            // It had already run its last step: the recovery still belongs to it.
            lastMessage.Enrollment.State = EnrollmentStates.Recovered;
            lastMessage.Enrollment.EndReason = "recovered: checkout completed";
            lastMessage.Enrollment.EndedAt ??= now;
        }
    }

    /// <summary>
    /// Whether the shopper (or, without an email, this checkout) completed a purchase at or after
    /// <paramref name="occurredAt"/>. Deliveries do not keep their order (FlexyPe's retries, the relay's concurrent
    /// batches, a Workflows process that dies holding some): an abandoned checkout or session from before the purchase
    /// that arrives after it must not start a sequence, or the shopper would be chased for what they already bought.
    /// <paramref name="notYet"/>: events stored already that count as not received yet (later ones of a hand-off batch).
    /// </summary>
    public async Task<bool> PurchasedSinceAsync(
        string storeId, string? email, string? checkoutKey, DateTimeOffset occurredAt, string[] notYet, CancellationToken ct)
    {
        if (email is not null)
        {
            return await db.Database.SqlQuery<bool>($"""
                SELECT EXISTS (SELECT 1 FROM received_events
                    WHERE store_id = {storeId} AND shopper_email = {email} AND type = {EventTypes.AbandonedCheckout}
                      AND occurred_at >= {occurredAt} AND payload -> 'checkout' ->> 'session_state' = {SessionStates.Completed}
                      AND event_id <> ALL({notYet})) AS "Value"
                """).SingleAsync(ct);
        }
        // Type and state are written as literals, the predicate of the index of completed checkouts by key (migration
        // CompletedCheckoutsByKey): as parameters, a generic plan could not use it, and the query would read every
        // anonymous abandoned checkout of the store since the event happened.
        return checkoutKey is not null && await db.Database.SqlQuery<bool>($"""
            SELECT EXISTS (SELECT 1 FROM received_events
                WHERE store_id = {storeId} AND (payload -> 'checkout') ->> 'key' = {checkoutKey}
                  AND type = 'abandoned_checkout' AND ((payload -> 'checkout') ->> 'session_state') = 'COMPLETED'
                  AND shopper_email IS NULL AND occurred_at >= {occurredAt} AND event_id <> ALL({notYet})) AS "Value"
            """).SingleAsync(ct);
    }

    /// <summary>
    /// The enrollment whose outcome the purchase is: the checkout's own, else the shopper's latest recovery enrollment
    /// begun within the attribution window. Chosen the same way for held-out and treated enrollments (no message plays
    /// a part), so the holdout report compares like with like; a held-out enrollment's purchase counts here though no
    /// message can be credited with it.
    /// </summary>
    private async Task RecordOutcomeAsync(WorkflowEvent e, Enrollment? checkoutEnrollment, DateTimeOffset now, CancellationToken ct)
    {
        var outcome = checkoutEnrollment;
        if (outcome is null && e.ShopperEmail is { } email)
        {
            var settings = await stores.ForStoreAsync(e.StoreId, ct);
            var since = now - clock.Scale(settings.AttributionWindow);
            outcome = await db.Enrollments
                .Where(x => x.StoreId == e.StoreId && x.ShopperEmail == email && EventTypes.Recovery.Contains(x.Trigger)
                    && x.EnrolledAt >= since && x.EnrolledAt <= now && x.PurchasedAt == null)
                .OrderByDescending(x => x.EnrolledAt)
                .FirstOrDefaultAsync(ct);
        }
        if (outcome is null || outcome.PurchasedAt is not null)
        {
            return;
        }
        outcome.PurchasedAt = now;
        outcome.PurchaseRevenue = e.Checkout?.TotalPayable ?? 0m;
        await db.SaveChangesAsync(ct);
    }

    /// <summary>A purchase ends the remaining discount steps of sequences with <see cref="ExitRules.PurchaseEndsDiscountSteps"/> (the welcome gift).</summary>
    private async Task EndDiscountStepsAsync(string storeId, string email, CancellationToken ct)
    {
        var targets = await (
            from enrollment in db.Enrollments
            join sequence in db.Sequences on enrollment.SequenceId equals sequence.Id
            where enrollment.StoreId == storeId && enrollment.ShopperEmail == email
                && enrollment.State == EnrollmentStates.Active
                && sequence.ExitRules.Contains(ExitRules.PurchaseEndsDiscountSteps)
            select new { enrollment.Id, Numbers = sequence.Steps.Where(s => s.DiscountCode != null).Select(s => s.Number).ToList() })
            .ToListAsync(ct);
        foreach (var target in targets.Where(t => t.Numbers.Count > 0))
        {
            await ending.CancelStepsAsync(target.Id, target.Numbers, "purchase ends discount step", ct);
            await ending.FinishIfNothingLeftAsync([target.Id], ct);
        }
    }
}
