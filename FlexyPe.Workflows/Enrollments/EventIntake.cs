using System.Diagnostics;
using System.Text.Json;
using FlexyPe.Workflows.HandOffs;
using FlexyPe.Workflows.Infrastructure;
using FlexyPe.Workflows.Model;
using FlexyPe.Workflows.Recommendations;
using FlexyPe.Workflows.Stores;
using FlexyPe.Workflows.Telemetry;
using FlexyPe.Workflows.Uplift;
using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Workflows.Enrollments;

public enum IntakeResult { Accepted, Duplicate }

/// <summary>
/// Takes a normalized event once (keyed on store and event id) and applies the domain rules: one enrollment per
/// checkout, session or new customer; later ACRs update it; COMPLETED ends it and records the recovery; ACR ends
/// the shopper's ASR; a purchase ends what the sequences' exit rules say. A new enrollment is held out or treated
/// (docs/uplift.md), given its discount arm and the features the uplift model sees; products the event shows are kept
/// for recommendations.
/// </summary>
public sealed class EventIntake(
    WorkflowsDbContext db,
    WorkflowClock clock,
    EnrollmentEnding ending,
    PurchaseExit purchase,
    StoreRegistry stores,
    StoreSettingsCatalog settings,
    DiscountArmDraw arms,
    WorkflowsTelemetry telemetry,
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

        await stores.RegisterAsync(e.StoreId, e.Store?.Name, clock.Now, ct);
        // The products the event shows, committed on their own before the event's transaction, as the store is: the
        // rows are shared by every shopper of the store, and an event's transaction holding them to its commit made
        // concurrent batches queue behind each other. Derived and idempotent: an event that then fails is retried.
        await StoreProducts.UpsertAsync(db, e.StoreId, e.Type, json, clock.Now, ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // A failure anywhere rolls the whole event back (the sender retries it), so no SaveChanges in it needs its own
        // savepoint: without them each save is two round trips fewer.
        db.Database.AutoSavepointsEnabled = false;
        var email = e.ShopperEmail;
        if (email is not null)
        {
            // The shopper's lock first: step firing does not fire a step of a shopper whose event is being taken (it
            // tries this lock), so a purchase taken here ends the sequence before any later step of it fires.
            await ending.LockAsync(e.StoreId, EnrollmentEnding.ShopperKey(email), ct);
        }
        // When the event was taken: read once the shopper's lock is held, so no step fired after it went unseen.
        var now = clock.Now;
        var inserted = await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO received_events (store_id, event_id, type, shopper_email, occurred_at, received_at, payload)
            VALUES ({e.StoreId}, {e.EventId}, {e.Type}, {email}, {e.HappenedAt(now)}, {now}, {json}::jsonb)
            ON CONFLICT DO NOTHING
            """, ct);
        if (inserted == 0)
        {
            activity?.SetTag("flexype.event.duplicate", true);
            await transaction.CommitAsync(ct);
            return IntakeResult.Duplicate;
        }

        switch (e.Type)
        {
            case EventTypes.AbandonedCheckout when e.Checkout?.Key is { } checkoutKey:
                await ending.LockAsync(e.StoreId, "checkout:" + checkoutKey, ct);
                if (e.Checkout.SessionState == SessionStates.Completed)
                {
                    await purchase.HandleAsync(e, json, checkoutKey, now, ct);
                }
                else
                {
                    var enrollment = await EnrollOrUpdateAsync(e, json, checkoutKey, now, ct);
                    if (email is not null)
                    {
                        await ending.EndForShopperAsync(e.StoreId, email, enrollment?.Id, ExitRules.CheckoutAbandoned, "checkout abandoned", ct);
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
        var occurredAt = e.HappenedAt(now);
        var existing = await db.Enrollments
            .FirstOrDefaultAsync(x => x.StoreId == e.StoreId && x.Trigger == e.Type && x.SubjectKey == subjectKey, ct);
        if (existing is not null)
        {
            // Latest cart, furthest session state; an older delivery arriving late changes neither.
            // Held out or not, and the discount arm, were decided when it began and never change.
            existing.SessionState = SessionStates.Furthest(existing.SessionState, e.Checkout?.SessionState);
            if (occurredAt >= existing.ContextOccurredAt)
            {
                existing.Context = json;
                existing.ContextOccurredAt = occurredAt;
                existing.ShopperEmail = e.ShopperEmail ?? existing.ShopperEmail;
                existing.ShopperPhone = e.Customer?.Phone ?? existing.ShopperPhone;
                if (existing.DiscountArm is not null)
                {
                    existing.Features = await FeaturesAsync(e, json, existing.ShopperEmail, existing.SessionState, occurredAt, ct);
                }
            }
            await db.SaveChangesAsync(ct);
            return existing;
        }

        if (EventTypes.Recovery.Contains(e.Type)
            && await purchase.PurchasedSinceAsync(e.StoreId, e.ShopperEmail, e.Type == EventTypes.AbandonedCheckout ? subjectKey : null, occurredAt, ct))
        {
            logger.LogInformation("Event {EventId} ({Type}) happened before the shopper's purchase and arrived after it: not enrolled", e.EventId, e.Type);
            return null;
        }

        var sequence = await db.Sequences.Include(s => s.Steps)
            .Where(s => s.Trigger == e.Type && s.IsCurrent && s.Enabled)
            .OrderBy(s => s.Key)
            .FirstOrDefaultAsync(ct);
        if (sequence is null)
        {
            return null;
        }
        var uplift = (await settings.ForStoreAsync(e.StoreId, ct)).Uplift;
        // A stable hash of store and subject: the same checkout gets the same answer on every replica and delivery.
        var heldOut = Holdout.IsHeldOut(e.StoreId, subjectKey, uplift.HoldoutShare);
        var arm = !heldOut && sequence.Steps.Any(s => s.Enabled && s.DiscountCode is not null)
            ? arms.Draw(uplift.ExplorationShare)
            : null;
        var enrollment = new Enrollment
        {
            Id = Guid.CreateVersion7(), StoreId = e.StoreId, SequenceId = sequence.Id, SequenceKey = sequence.Key,
            Trigger = e.Type, SubjectKey = subjectKey, ShopperEmail = e.ShopperEmail, ShopperPhone = e.Customer?.Phone,
            SessionState = e.Checkout?.SessionState, Context = json, ContextOccurredAt = occurredAt, EnrolledAt = now,
            HeldOut = heldOut, DiscountArm = arm,
            Features = arm is null ? null : await FeaturesAsync(e, json, e.ShopperEmail, e.Checkout?.SessionState, occurredAt, ct),
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
        telemetry.Enrolled.Add(1, new KeyValuePair<string, object?>("sequence", sequence.Key),
            new KeyValuePair<string, object?>("held_out", heldOut));
        Activity.Current?.SetTag("flexype.enrollment.held_out", heldOut);
        Activity.Current?.SetTag("flexype.enrollment.discount_arm", arm);
        return enrollment;
    }

    /// <summary>What the uplift model will see of this enrollment: the event, the furthest state and the shopper's history.</summary>
    private async Task<string> FeaturesAsync(
        WorkflowEvent e, string json, string? email, string? furthestState, DateTimeOffset occurredAt, CancellationToken ct)
    {
        var store = await settings.ForStoreAsync(e.StoreId, ct);
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(store.TimeZone, out var found) ? found : TimeZoneInfo.Utc;
        var history = await EnrollmentFeatures.HistoryAsync(db, e.StoreId, email, occurredAt, ct);
        using var document = JsonDocument.Parse(json);
        return EnrollmentFeatures.Serialize(RecoveryFeatureBuilder.Build(document.RootElement, history, zone, furthestState));
    }
}
