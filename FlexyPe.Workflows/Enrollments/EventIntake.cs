using System.Diagnostics;
using FlexyPe.Workflows.Events;
using FlexyPe.Workflows.Infrastructure;
using FlexyPe.Workflows.Scheduling;
using FlexyPe.Workflows.Sequences;
using FlexyPe.Workflows.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FlexyPe.Workflows.Enrollments;

public enum IntakeResult { Accepted, Duplicate }

/// <summary>
/// Takes a normalized event once (keyed on store and event id) and applies the domain rules: one enrollment per
/// checkout, session or new customer; later ACRs update it; COMPLETED ends it and records the recovery; ACR ends
/// the shopper's ASR; a purchase ends what the sequences' exit rules say.
/// </summary>
public sealed class EventIntake(
    WorkflowsDbContext db,
    WorkflowClock clock,
    EnrollmentEnding ending,
    IOptions<WorkflowsOptions> options,
    ILogger<EventIntake> logger)
{
    /// <summary>
    /// Takes one event in its own transaction. <paramref name="parent"/> is the trace the event belongs to when it
    /// came in a batch (default: the current request's).
    /// </summary>
    public async Task<IntakeResult> HandleAsync(WorkflowEvent e, string json, ActivityContext parent, CancellationToken ct)
    {
        // In a batch the event continues its own trace; the batch request it came in is a link.
        var batchRequest = parent == default ? null : Activity.Current;
        using var activity = WorkflowsTelemetry.Source.StartActivity("workflows.event", ActivityKind.Internal, parent,
            links: batchRequest is null ? null : [new ActivityLink(batchRequest.Context)]);
        try
        {
            return await TakeAsync(e, json, activity, ct);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The caller answers or retries; the span shows the event was not taken, and why (no content of it).
            activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
            throw;
        }
    }

    private async Task<IntakeResult> TakeAsync(WorkflowEvent e, string json, Activity? activity, CancellationToken ct)
    {
        // One event, one unit of work: nothing an earlier event of a batch loaded (or left unsaved) carries over.
        db.ChangeTracker.Clear();
        activity?.SetTag("flexype.event.type", e.Type);
        activity?.SetTag("flexype.store.id", e.StoreId);

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var now = clock.Now;
        var email = e.ShopperEmail;
        var inserted = await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO received_events (store_id, event_id, type, shopper_email, occurred_at, received_at, payload)
            VALUES ({e.StoreId}, {e.EventId}, {e.Type}, {email}, {e.OccurredAt ?? now}, {now}, {json}::jsonb)
            ON CONFLICT DO NOTHING
            """, ct);
        if (inserted == 0)
        {
            activity?.SetTag("flexype.event.duplicate", true);
            await transaction.CommitAsync(ct);
            return IntakeResult.Duplicate;
        }

        if (email is not null)
        {
            await ending.LockAsync(e.StoreId, "shopper:" + email, ct);
        }
        switch (e.Type)
        {
            case EventTypes.AbandonedCheckout when e.Checkout?.Key is { } checkoutKey:
                await ending.LockAsync(e.StoreId, "checkout:" + checkoutKey, ct);
                if (e.Checkout.SessionState == SessionStates.Completed)
                {
                    await PurchaseAsync(e, json, checkoutKey, now, ct);
                }
                else
                {
                    var enrollment = await EnrollOrUpdateAsync(e, json, checkoutKey, now, ct);
                    if (email is not null)
                    {
                        await EndForShopperAsync(e.StoreId, email, enrollment?.Id, ExitRules.CheckoutAbandoned, "checkout abandoned", ct);
                    }
                }
                break;
            case EventTypes.AbandonedSession when e.Session?.Key is { } sessionKey:
                await ending.LockAsync(e.StoreId, "session:" + sessionKey, ct);
                // ACR supersedes ASR: a shopper already in a checkout sequence is not enrolled for browsing.
                if (email is null || !await db.Enrollments.AnyAsync(x => x.StoreId == e.StoreId && x.ShopperEmail == email
                        && x.Trigger == EventTypes.AbandonedCheckout && x.State == EnrollmentStates.Active, ct))
                {
                    await EnrollOrUpdateAsync(e, json, sessionKey, now, ct);
                }
                break;
            case EventTypes.NewCustomer:
                var customerKey = email ?? e.Customer?.ShopifyCustomerId ?? e.EventId;
                await EnrollOrUpdateAsync(e, json, customerKey, now, ct);
                break;
            case EventTypes.AbandonedCheckout or EventTypes.AbandonedSession:
                logger.LogWarning("Event {EventId} of type {Type} has no checkout or session key; stored, not enrolled", e.EventId, e.Type);
                break;
        }
        await transaction.CommitAsync(ct);
        return IntakeResult.Accepted;
    }

    private async Task<Enrollment?> EnrollOrUpdateAsync(WorkflowEvent e, string json, string subjectKey, DateTimeOffset now, CancellationToken ct)
    {
        var occurredAt = e.OccurredAt ?? now;
        var existing = await db.Enrollments
            .FirstOrDefaultAsync(x => x.StoreId == e.StoreId && x.Trigger == e.Type && x.SubjectKey == subjectKey, ct);
        if (existing is not null)
        {
            // Latest cart, furthest session state; an older delivery arriving late changes neither.
            existing.SessionState = SessionStates.Furthest(existing.SessionState, e.Checkout?.SessionState);
            if (occurredAt >= existing.ContextOccurredAt)
            {
                existing.Context = json;
                existing.ContextOccurredAt = occurredAt;
                existing.ShopperEmail = e.ShopperEmail ?? existing.ShopperEmail;
            }
            await db.SaveChangesAsync(ct);
            return existing;
        }

        var sequence = await db.Sequences.Include(s => s.Steps)
            .Where(s => s.Trigger == e.Type && s.IsCurrent && s.Enabled)
            .OrderBy(s => s.Key)
            .FirstOrDefaultAsync(ct);
        if (sequence is null)
        {
            return null;
        }
        var enrollment = new Enrollment
        {
            Id = Guid.CreateVersion7(), StoreId = e.StoreId, SequenceId = sequence.Id, SequenceKey = sequence.Key,
            Trigger = e.Type, SubjectKey = subjectKey, ShopperEmail = e.ShopperEmail,
            SessionState = e.Checkout?.SessionState, Context = json, ContextOccurredAt = occurredAt, EnrolledAt = now,
        };
        foreach (var (number, dueAt) in clock.DueTimes(sequence.Steps, now))
        {
            enrollment.Steps.Add(new ScheduledStep
            {
                Id = Guid.CreateVersion7(), EnrollmentId = enrollment.Id, StepNumber = number, DueAt = dueAt,
                IdempotencyKey = ScheduledStep.KeyFor(enrollment.Id, number),
                TraceParent = Activity.Current?.Id,
            });
        }
        db.Enrollments.Add(enrollment);
        await db.SaveChangesAsync(ct);
        WorkflowsTelemetry.Enrolled.Add(1, new KeyValuePair<string, object?>("sequence", sequence.Key));
        return enrollment;
    }

    /// <summary>COMPLETED: the checkout's enrollment ends, the recovery is recorded, and the exit rules run for the shopper.</summary>
    private async Task PurchaseAsync(WorkflowEvent e, string json, string checkoutKey, DateTimeOffset now, CancellationToken ct)
    {
        var email = e.ShopperEmail;
        var checkoutEnrollment = await db.Enrollments
            .FirstOrDefaultAsync(x => x.StoreId == e.StoreId && x.Trigger == EventTypes.AbandonedCheckout && x.SubjectKey == checkoutKey, ct);
        if (checkoutEnrollment is not null)
        {
            checkoutEnrollment.SessionState = SessionStates.Completed;
            checkoutEnrollment.Context = json;
            checkoutEnrollment.ContextOccurredAt = e.OccurredAt ?? now;
        }

        // The last recovery message (abandoned checkout or session; a welcome is not one) to this shopper, or on this
        // checkout when there is no email, within the attribution window.
        var since = now - clock.Scale(options.Value.AttributionWindow);
        var lastMessage = await (
            from step in db.ScheduledSteps
            join enrollment in db.Enrollments on step.EnrollmentId equals enrollment.Id
            where enrollment.StoreId == e.StoreId && EventTypes.Recovery.Contains(enrollment.Trigger)
                && (email != null ? enrollment.ShopperEmail == email : enrollment.Id == (checkoutEnrollment == null ? Guid.Empty : checkoutEnrollment.Id))
                && step.State == StepStates.Sent && step.FiredAt >= since && step.FiredAt <= now
            orderby step.FiredAt descending
            select new { step.StepNumber, Enrollment = enrollment })
            .FirstOrDefaultAsync(ct);
        if (lastMessage is not null && !await db.Recoveries.AnyAsync(r => r.StoreId == e.StoreId && r.CheckoutKey == checkoutKey, ct))
        {
            db.Recoveries.Add(new Recovery
            {
                Id = Guid.CreateVersion7(), StoreId = e.StoreId, CheckoutKey = checkoutKey,
                EnrollmentId = lastMessage.Enrollment.Id, SequenceId = lastMessage.Enrollment.SequenceId,
                SequenceKey = lastMessage.Enrollment.SequenceKey, StepNumber = lastMessage.StepNumber,
                Revenue = e.Checkout?.TotalPayable ?? 0m, RecoveredAt = now,
            });
            await db.SaveChangesAsync(ct);
            WorkflowsTelemetry.Recoveries.Add(1, new KeyValuePair<string, object?>("sequence", lastMessage.Enrollment.SequenceKey));
            await ending.EndAsync(lastMessage.Enrollment, EnrollmentStates.Recovered, "recovered: checkout completed", ct);
            if (lastMessage.Enrollment.State != EnrollmentStates.Recovered)
            {
                // It had already run its last step: the recovery still belongs to it.
                lastMessage.Enrollment.State = EnrollmentStates.Recovered;
                lastMessage.Enrollment.EndReason = "recovered: checkout completed";
                lastMessage.Enrollment.EndedAt ??= now;
            }
        }
        if (checkoutEnrollment is not null)
        {
            await ending.EndAsync(checkoutEnrollment, EnrollmentStates.Ended, "checkout completed", ct);
        }
        await db.SaveChangesAsync(ct);

        if (email is not null)
        {
            await EndForShopperAsync(e.StoreId, email, checkoutEnrollment?.Id, ExitRules.Purchase, "shopper purchased", ct);
            await EndDiscountStepsAsync(e.StoreId, email, ct);
        }
    }

    /// <summary>Ends the shopper's active enrollments whose sequence version has <paramref name="rule"/>.</summary>
    private async Task EndForShopperAsync(string storeId, string email, Guid? except, string rule, string reason, CancellationToken ct)
    {
        var enrollments = await (
            from enrollment in db.Enrollments
            join sequence in db.Sequences on enrollment.SequenceId equals sequence.Id
            where enrollment.StoreId == storeId && enrollment.ShopperEmail == email
                && enrollment.State == EnrollmentStates.Active && enrollment.Id != except
                && sequence.ExitRules.Contains(rule)
            select enrollment).ToListAsync(ct);
        foreach (var enrollment in enrollments)
        {
            await ending.EndAsync(enrollment, EnrollmentStates.Ended, reason, ct);
        }
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
            await ending.FinishIfNothingLeftAsync(target.Id, ct);
        }
    }
}
