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

/// <summary>One event of a hand-off batch: what it says, its JSON as sent, and the trace it continues.</summary>
public sealed record BatchEvent(WorkflowEvent Event, string Json, ActivityContext Parent);

/// <summary>
/// Takes a normalized event once (keyed on store and event id) and applies the domain rules: one enrollment per
/// checkout, session or new customer; later ACRs update it; COMPLETED ends it and records the recovery; ACR ends
/// the shopper's ASR; a purchase ends what the sequences' exit rules say. A new enrollment is held out or treated
/// (docs/uplift.md), given its discount arm and the features the uplift model sees; products the event shows are kept
/// for recommendations. One event is taken in its own transaction (<see cref="HandleAsync"/>), a hand-off batch in one
/// (<see cref="HandleBatchAsync"/>).
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
    CountsOnCommit counts,
    ILogger<EventIntake> logger)
{
    private readonly Dictionary<string, Sequence?> currentSequences = new(StringComparer.Ordinal);

    /// <summary>
    /// New enrollments (with their steps) not yet written: a batch writes them in one <c>SaveChanges</c>, one round trip,
    /// before it commits, or before a later event's rules read enrollments from the database (<see cref="WriteEnrollmentsAsync"/>
    /// precedes each such read); until then a later delivery of the same checkout changes them where they wait, and what the
    /// batch knows (<see cref="KnownEnrollments"/>) answers for them. No one else sees them before the commit either way,
    /// and the batch holds their locks, so no one else enrolls them meanwhile.
    /// </summary>
    private readonly List<Enrollment> unwritten = [];

    /// <summary>
    /// Updates of enrollments written before not yet made, by enrollment: written with the new enrollments
    /// (<see cref="WriteEnrollmentsAsync"/>), in one statement for all of them. A later update of the same enrollment in the
    /// batch replaces its entry (it starts from what the earlier one left: <see cref="KnownEnrollments"/>).
    /// </summary>
    private readonly Dictionary<Guid, UnwrittenUpdate> unwrittenUpdates = [];

    /// <summary>
    /// What an update leaves of an enrollment; the event it now renders and its features, when it changed them; whether it
    /// gave the enrollment another shopper (then a shopper's history, read by email, waits for it: <see cref="FeaturesAsync"/>).
    /// </summary>
    private sealed record UnwrittenUpdate(Enrolled Enrolled, string? ContextEventId, string? Features, bool MovesShopper);

    /// <summary>
    /// Takes one event in its own transaction. <paramref name="parent"/> is the trace the event belongs to when it
    /// came in a batch (default: the current request's).
    /// </summary>
    public async Task<IntakeResult> HandleAsync(WorkflowEvent e, string json, ActivityContext parent, CancellationToken ct)
    {
        using var activity = StartEvent(e, parent);
        try
        {
            // One event, one unit of work: nothing an earlier event of a batch loaded (or left unsaved) carries over.
            db.ChangeTracker.Clear();
            ForgetUnwritten();
            await stores.RegisterAsync(e.StoreId, e.Store?.Name, clock.Now, ct);
            // The products the event shows, committed on their own before the event's transaction, as the store is: the
            // rows are shared by every shopper of the store, and an event's transaction holding them to its commit made
            // concurrent batches queue behind each other. Derived and idempotent: an event that then fails is retried.
            await StoreProducts.UpsertAsync(db, [(e.StoreId, e.Type, json)], clock.Now, ct);
            await using var transaction = await BeginAsync(ct);
            if (e.ShopperEmail is { } email)
            {
                // The shopper's lock first: step firing does not fire a step of a shopper whose event is being taken (it
                // tries this lock), so a purchase taken here ends the sequence before any later step of it fires.
                await ending.LockAsync(e.StoreId, EnrollmentEnding.ShopperKey(email), ct);
            }
            // When the event was taken: read once the shopper's lock is held, so no step fired after it went unseen.
            var now = clock.Now;
            var result = (await StoreAsync([(e, json)], now, ct))[0]
                ? await ApplyRulesAsync(e, json, now, subjectLocked: false, Turn.Alone(), ct)
                : Duplicate(activity);
            await WriteEnrollmentsAsync(ct);
            await CommitAsync(transaction, ct);
            return result;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            ForgetUnwritten();
            counts.Drop();
            // The caller answers or retries; the span shows the event was not taken, and why (no content of it).
            activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
            throw;
        }
    }

    /// <summary>
    /// Takes a hand-off batch (as Ingest's relay sends it) in one transaction and one commit, instead of one of each per
    /// event. The stores and products of all its events are kept first, in one statement each. Then one statement takes
    /// the locks of all of them: every shopper, then every checkout and session, each in sorted order, the order one
    /// event takes its own in, so a batch and a single event never wait on each other in a cycle. Then one statement
    /// stores every event as received (a repeat, also within the batch, is a duplicate), and each event's rules run, in
    /// the order sent, each seeing the events before it and none after it, as when taken one by one (the later ones,
    /// stored already, are left out of what its rules read). What the rules of its new enrollments would read one by one
    /// (purchased since? the shopper's history) is read once for all of them (<see cref="BatchReads"/>), and the new
    /// enrollments are written together (<see cref="unwritten"/>). Null when the batch could not be taken
    /// as a whole (an event the database refuses, a deadlock with a neighbour): nothing of it is kept, and the caller
    /// takes the events one by one, so each gets its own answer.
    /// </summary>
    public async Task<IReadOnlyList<IntakeResult>?> HandleBatchAsync(IReadOnlyList<BatchEvent> batch, CancellationToken ct)
    {
        try
        {
            var results = await TakeBatchAsync(batch, ct);
            telemetry.IntakeBatchSize.Record(batch.Count);
            return results;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            db.ChangeTracker.Clear();
            ForgetUnwritten();
            counts.Drop();
            telemetry.IntakeBatchesSplit.Add(1);
            logger.LogWarning("A batch of {Count} events was not taken in one transaction ({Error}); taking them one by one",
                batch.Count, exception.GetType().Name);
            return null;
        }
    }

    private async Task<IntakeResult[]> TakeBatchAsync(IReadOnlyList<BatchEvent> batch, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        ForgetUnwritten();
        foreach (var e in batch.Select(b => b.Event).DistinctBy(e => e.StoreId))
        {
            await stores.RegisterAsync(e.StoreId, e.Store?.Name, clock.Now, ct);
        }
        await StoreProducts.UpsertAsync(db, batch.Select(b => (b.Event.StoreId, b.Event.Type, b.Json)), clock.Now, ct);
        // Disposed (rolled back) before the caller takes the events one by one, should anything below fail.
        await using var transaction = await BeginAsync(ct);
        // Every lock the batch's events take, before any of them is stored: step firing, which only tries a shopper's
        // lock, leaves these shoppers' steps for its next round until the batch commits.
        await ending.LockAllAsync(
            batch.Select(b => b.Event).Where(e => e.ShopperEmail is not null)
                .Select(e => EnrollmentEnding.LockName(e.StoreId, EnrollmentEnding.ShopperKey(e.ShopperEmail!))),
            batch.Select(b => b.Event).Select(e => SubjectLock(e) is { } key ? EnrollmentEnding.LockName(e.StoreId, key) : null).OfType<string>(),
            ct);
        // When the events were taken: read once every lock is held, so no step fired after it went unseen.
        var now = clock.Now;
        var stored = await StoreAsync([.. batch.Select(b => (b.Event, b.Json))], now, ct);
        WorkflowEvent[] events = [.. batch.Select(b => b.Event)];
        var known = await KnownEnrollments.ReadAsync(db, events, ct);
        var reads = await BatchReads.ReadAsync(db, events, stored, known, OffersDiscountAsync, now, ct);
        var results = new IntakeResult[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            var (e, json, parent) = batch[i];
            using var activity = StartEvent(e, parent);
            try
            {
                db.ChangeTracker.Clear();
                results[i] = stored[i]
                    ? await ApplyRulesAsync(e, json, now, subjectLocked: true, new Turn(i, StoredAfter(batch, stored, i), known, reads), ct)
                    : Duplicate(activity);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
                throw;
            }
        }
        await WriteEnrollmentsAsync(ct);
        await CommitAsync(transaction, ct);
        return results;
    }

    /// <summary>
    /// Writes what the rules have not written yet: the new enrollments, with their steps, in one <c>SaveChanges</c>, and
    /// the updates of enrollments written before, in one statement.
    /// </summary>
    private async Task WriteEnrollmentsAsync(CancellationToken ct)
    {
        if (unwritten.Count > 0)
        {
            db.Enrollments.AddRange(unwritten);
            await db.SaveChangesAsync(ct);
            unwritten.Clear();
            db.ChangeTracker.Clear();
        }
        if (unwrittenUpdates.Count > 0)
        {
            var updates = unwrittenUpdates.Values.ToArray();
            unwrittenUpdates.Clear();
            Guid[] ids = [.. updates.Select(u => u.Enrolled.Id)];
            string?[] states = [.. updates.Select(u => u.Enrolled.SessionState)], eventIds = [.. updates.Select(u => u.ContextEventId)],
                emails = [.. updates.Select(u => u.Enrolled.ShopperEmail)], phones = [.. updates.Select(u => u.Enrolled.ShopperPhone)],
                features = [.. updates.Select(u => u.Features)];
            DateTimeOffset[] occurred = [.. updates.Select(u => u.Enrolled.ContextOccurredAt)];
            // What an update leaves is the whole of what it reads (KnownEnrollments' Enrolled), so those columns are set as
            // they are; the event and the features only when an update changed them.
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                UPDATE enrollments AS e SET session_state = u.session_state,
                    context_event_id = COALESCE(u.context_event_id, e.context_event_id), context_occurred_at = u.context_occurred_at,
                    shopper_email = u.shopper_email, shopper_phone = u.shopper_phone, features = COALESCE(u.features::jsonb, e.features)
                FROM unnest({ids}, {states}, {eventIds}, {occurred}, {emails}, {phones}, {features})
                    AS u(id, session_state, context_event_id, context_occurred_at, shopper_email, shopper_phone, features)
                WHERE e.id = u.id
                """, ct);
        }
    }

    /// <summary>Drops what was not written (the transaction it was for is rolled back).</summary>
    private void ForgetUnwritten()
    {
        unwritten.Clear();
        unwrittenUpdates.Clear();
    }

    /// <summary>
    /// The intake's transaction. A failure anywhere in it rolls all of it back (the sender retries), so no SaveChanges in
    /// it needs its own savepoint: without them each save is two round trips fewer. What its rules count is added once it
    /// commits (<see cref="CountsOnCommit"/>).
    /// </summary>
    private async Task<Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction> BeginAsync(CancellationToken ct)
    {
        var transaction = await db.Database.BeginTransactionAsync(ct);
        db.Database.AutoSavepointsEnabled = false;
        counts.Hold();
        return transaction;
    }

    private async Task CommitAsync(Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction transaction, CancellationToken ct)
    {
        await transaction.CommitAsync(ct);
        counts.Release();
    }

    /// <summary>The span of one event. In a batch the event continues its own trace; the batch request it came in is a link.</summary>
    private static Activity? StartEvent(WorkflowEvent e, ActivityContext parent)
    {
        var batchRequest = parent == default ? null : Activity.Current;
        var activity = WorkflowsTelemetry.Source.StartActivity("workflows.event", ActivityKind.Internal, parent,
            links: batchRequest is null ? null : [new ActivityLink(batchRequest.Context)]);
        activity?.SetTag("flexype.event.type", e.Type);
        activity?.SetTag("flexype.store.id", e.StoreId);
        return activity;
    }

    /// <summary>The key of an event's checkout or session lock, taken after its shopper's.</summary>
    private static string? SubjectLock(WorkflowEvent e) => e.Type switch
    {
        EventTypes.AbandonedCheckout when e.Checkout?.Key is { } checkoutKey => "checkout:" + checkoutKey,
        EventTypes.AbandonedSession when e.Session?.Key is { } sessionKey => "session:" + sessionKey,
        _ => null,
    };

    /// <summary>
    /// Stores events as received, in one statement, keyed on store and event id; for each, whether it was stored now
    /// (false for a repeat of one stored before, or of one earlier in <paramref name="events"/>).
    /// </summary>
    private async Task<bool[]> StoreAsync(IReadOnlyList<(WorkflowEvent Event, string Json)> events, DateTimeOffset now, CancellationToken ct)
    {
        var firsts = Enumerable.Range(0, events.Count).DistinctBy(i => (events[i].Event.StoreId, events[i].Event.EventId)).ToArray();
        var stores = firsts.Select(i => events[i].Event.StoreId).ToArray();
        var ids = firsts.Select(i => events[i].Event.EventId).ToArray();
        var types = firsts.Select(i => events[i].Event.Type).ToArray();
        var emails = firsts.Select(i => events[i].Event.ShopperEmail).ToArray();
        var occurred = firsts.Select(i => events[i].Event.HappenedAt(now)).ToArray();
        var payloads = firsts.Select(i => events[i].Json).ToArray();
        var inserted = await db.Database.SqlQuery<StoredKey>($"""
            INSERT INTO received_events (store_id, event_id, type, shopper_email, occurred_at, received_at, payload)
            SELECT e.store_id, e.event_id, e.type, e.shopper_email, e.occurred_at, {now}, e.payload::jsonb
            FROM unnest({stores}, {ids}, {types}, {emails}, {occurred}, {payloads})
                AS e(store_id, event_id, type, shopper_email, occurred_at, payload)
            ON CONFLICT DO NOTHING
            RETURNING store_id, event_id
            """).ToListAsync(ct);
        var storedNow = inserted.ToHashSet();
        var stored = new bool[events.Count];
        foreach (var i in firsts)
        {
            stored[i] = storedNow.Contains(new StoredKey(events[i].Event.StoreId, events[i].Event.EventId));
        }
        return stored;
    }

    private sealed record StoredKey(string StoreId, string EventId);

    /// <summary>
    /// The ids of the events after <paramref name="index"/> in its batch that were stored with it and share its store and
    /// shopper: what its rules read of the shopper's events (purchases, views) leaves them out, as if not yet received.
    /// </summary>
    private static string[] StoredAfter(IReadOnlyList<BatchEvent> batch, bool[] stored, int index)
    {
        var e = batch[index].Event;
        return [.. Enumerable.Range(index + 1, batch.Count - index - 1)
            .Where(j => stored[j] && batch[j].Event.StoreId == e.StoreId && batch[j].Event.ShopperEmail == e.ShopperEmail)
            .Select(j => batch[j].Event.EventId)];
    }

    private static IntakeResult Duplicate(Activity? activity)
    {
        activity?.SetTag("flexype.event.duplicate", true);
        return IntakeResult.Duplicate;
    }

    /// <summary>
    /// An event's turn in its batch: its place (<see cref="Index"/>), the events of the batch after it, stored already, that
    /// its rules must not see (<see cref="StoredAfter"/>), and what the batch read before any rules ran (and its events'
    /// rules have told <see cref="Known"/> since), so not read again.
    /// </summary>
    private sealed record Turn(int Index, string[] StoredAfter, KnownEnrollments Known, BatchReads Reads)
    {
        /// <summary>An event taken on its own: nothing after it, nothing read before.</summary>
        public static Turn Alone() => new(0, [], KnownEnrollments.Nothing(), BatchReads.Nothing());
    }

    /// <summary>
    /// Runs the rules of an event just stored, in a transaction holding its shopper's lock.
    /// <paramref name="subjectLocked"/>: the transaction holds its checkout or session lock too (a batch takes them all at
    /// once).
    /// </summary>
    private async Task<IntakeResult> ApplyRulesAsync(
        WorkflowEvent e, string json, DateTimeOffset now, bool subjectLocked, Turn turn, CancellationToken ct)
    {
        var known = turn.Known;
        var email = e.ShopperEmail;
        if (!subjectLocked && SubjectLock(e) is { } subject)
        {
            await ending.LockAsync(e.StoreId, subject, ct);
        }
        switch (e.Type)
        {
            case EventTypes.AbandonedCheckout when e.Checkout?.Key is { } checkoutKey:
                if (e.Checkout.SessionState == SessionStates.Completed)
                {
                    await WriteEnrollmentsAsync(ct);
                    await purchase.HandleAsync(e, checkoutKey, now, ct);
                    // What a purchase ends and records is not followed in memory: the events after it read it.
                    known.Forget(e);
                }
                else
                {
                    var enrollment = await EnrollOrUpdateAsync(e, json, checkoutKey, now, turn, ct);
                    // Nothing else to end when no other active enrollment of the shopper has the rule.
                    if (email is not null && !known.NoActiveWithExitRule(e.StoreId, email, ExitRules.CheckoutAbandoned, enrollment))
                    {
                        await WriteEnrollmentsAsync(ct);
                        await ending.EndForShopperAsync(e.StoreId, email, enrollment, ExitRules.CheckoutAbandoned, "checkout abandoned", ct);
                        known.Ended(e.StoreId, email, ExitRules.CheckoutAbandoned, enrollment);
                    }
                }
                break;
            case EventTypes.AbandonedSession when e.Session?.Key is { } sessionKey:
                // ACR supersedes ASR: a shopper already in a checkout sequence is not enrolled for browsing.
                if (email is null || !await InCheckoutSequenceAsync(e.StoreId, email, known, ct))
                {
                    await EnrollOrUpdateAsync(e, json, sessionKey, now, turn, ct);
                }
                break;
            case EventTypes.NewCustomer:
                await EnrollOrUpdateAsync(e, json, KnownEnrollments.SubjectKey(e)!, now, turn, ct);
                break;
            case EventTypes.AbandonedCheckout or EventTypes.AbandonedSession:
                logger.LogWarning("Event {EventId} of type {Type} has no checkout or session key; stored, not enrolled", e.EventId, e.Type);
                break;
        }
        return IntakeResult.Accepted;
    }

    /// <summary>Whether the shopper has an active checkout enrollment.</summary>
    private async Task<bool> InCheckoutSequenceAsync(string storeId, string email, KnownEnrollments known, CancellationToken ct)
    {
        if (known.NoActiveOf(storeId, email, EventTypes.AbandonedCheckout))
        {
            return false;
        }
        await WriteEnrollmentsAsync(ct);
        return await db.Enrollments.AnyAsync(x => x.StoreId == storeId && x.ShopperEmail == email
            && x.Trigger == EventTypes.AbandonedCheckout && x.State == EnrollmentStates.Active, ct);
    }

    /// <summary>Enrolls the event's subject, or updates its enrollment; the enrollment's id, or null when none was begun.</summary>
    private async Task<Guid?> EnrollOrUpdateAsync(
        WorkflowEvent e, string json, string subjectKey, DateTimeOffset now, Turn turn, CancellationToken ct)
    {
        var occurredAt = e.HappenedAt(now);
        var existing = turn.Known.Knows(e.StoreId, e.Type, subjectKey, out var known) ? known : await ReadEnrolledAsync(e, subjectKey, ct);
        if (existing is not null)
        {
            turn.Known.Remember(e.StoreId, e.Type, subjectKey, await UpdateAsync(existing, e, json, occurredAt, turn, ct));
            return existing.Id;
        }

        var checkoutKey = e.Type == EventTypes.AbandonedCheckout ? subjectKey : null;
        if (EventTypes.Recovery.Contains(e.Type)
            && (turn.Reads.PurchasedSince(turn.Index, e.ShopperEmail, checkoutKey, occurredAt)
                ?? await purchase.PurchasedSinceAsync(e.StoreId, e.ShopperEmail, checkoutKey, occurredAt, turn.StoredAfter, ct)))
        {
            logger.LogInformation("Event {EventId} ({Type}) happened before the shopper's purchase and arrived after it: not enrolled", e.EventId, e.Type);
            return null;
        }

        var sequence = await CurrentSequenceAsync(e.Type, ct);
        if (sequence is null)
        {
            return null;
        }
        var uplift = (await settings.ForStoreAsync(e.StoreId, ct)).Uplift;
        // A stable hash of store and subject: the same checkout gets the same answer on every replica and delivery.
        var heldOut = Holdout.IsHeldOut(e.StoreId, subjectKey, uplift.HoldoutShare);
        var arm = !heldOut && OffersDiscount(sequence) ? arms.Draw(uplift.ExplorationShare) : null;
        var enrollment = new Enrollment
        {
            Id = Guid.CreateVersion7(), StoreId = e.StoreId, SequenceId = sequence.Id, SequenceKey = sequence.Key,
            Trigger = e.Type, SubjectKey = subjectKey, ShopperEmail = e.ShopperEmail, ShopperPhone = e.Customer?.Phone,
            SessionState = e.Checkout?.SessionState, ContextEventId = e.EventId, ContextOccurredAt = occurredAt, EnrolledAt = now,
            HeldOut = heldOut, DiscountArm = arm,
            Features = arm is null ? null : await FeaturesAsync(e, json, e.ShopperEmail, e.Checkout?.SessionState, occurredAt, turn, ct),
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
        unwritten.Add(enrollment);
        turn.Known.Began(e.StoreId, e.Type, subjectKey,
            new Enrolled(enrollment.Id, enrollment.SessionState, occurredAt, enrollment.ShopperEmail, enrollment.ShopperPhone, arm),
            sequence.ExitRules);
        counts.Add(telemetry.Enrolled, 1, new KeyValuePair<string, object?>("sequence", sequence.Key),
            new KeyValuePair<string, object?>("held_out", heldOut));
        Activity.Current?.SetTag("flexype.enrollment.held_out", heldOut);
        Activity.Current?.SetTag("flexype.enrollment.discount_arm", arm);
        return enrollment.Id;
    }

    /// <summary>The enrollment of the event's checkout, session or customer, from the database (after the unwritten are written).</summary>
    private async Task<Enrolled?> ReadEnrolledAsync(WorkflowEvent e, string subjectKey, CancellationToken ct)
    {
        await WriteEnrollmentsAsync(ct);
        return await db.Enrollments
            .Where(x => x.StoreId == e.StoreId && x.Trigger == e.Type && x.SubjectKey == subjectKey)
            .Select(x => new Enrolled(x.Id, x.SessionState, x.ContextOccurredAt, x.ShopperEmail, x.ShopperPhone, x.DiscountArm))
            .FirstOrDefaultAsync(ct);
    }

    /// <summary>
    /// Another delivery of an enrolled checkout, session or customer: the latest cart and the furthest session state, in
    /// one statement. An older delivery arriving late changes neither cart nor shopper. Held out or not, and the discount
    /// arm, were decided when the enrollment began and never change. An enrollment begun earlier in the batch and not yet
    /// written is changed where it waits; one written before is updated with the batch's other updates
    /// (<see cref="unwrittenUpdates"/>). Neither is a round trip of its own. Returns the enrollment as it leaves it.
    /// </summary>
    private async Task<Enrolled> UpdateAsync(Enrolled existing, WorkflowEvent e, string json, DateTimeOffset occurredAt, Turn turn, CancellationToken ct)
    {
        var sessionState = SessionStates.Furthest(existing.SessionState, e.Checkout?.SessionState);
        var waiting = unwritten.Find(x => x.Id == existing.Id);
        unwrittenUpdates.TryGetValue(existing.Id, out var earlier);
        if (occurredAt < existing.ContextOccurredAt)
        {
            var left = existing with { SessionState = sessionState };
            if (waiting is not null)
            {
                waiting.SessionState = sessionState;
            }
            else if (sessionState != existing.SessionState)
            {
                unwrittenUpdates[existing.Id] = new UnwrittenUpdate(left, earlier?.ContextEventId, earlier?.Features, earlier?.MovesShopper ?? false);
            }
            return left;
        }
        var email = e.ShopperEmail ?? existing.ShopperEmail;
        var phone = e.Customer?.Phone ?? existing.ShopperPhone;
        var features = existing.DiscountArm is null ? null : await FeaturesAsync(e, json, email, sessionState, occurredAt, turn, ct);
        var updated = existing with { SessionState = sessionState, ContextOccurredAt = occurredAt, ShopperEmail = email, ShopperPhone = phone };
        if (waiting is not null)
        {
            waiting.SessionState = sessionState;
            waiting.ContextEventId = e.EventId;
            waiting.ContextOccurredAt = occurredAt;
            waiting.ShopperEmail = email;
            waiting.ShopperPhone = phone;
            waiting.Features = features ?? waiting.Features;
        }
        else
        {
            unwrittenUpdates[existing.Id] = new UnwrittenUpdate(updated, e.EventId, features ?? earlier?.Features,
                earlier?.MovesShopper == true || email != existing.ShopperEmail);
        }
        return updated;
    }

    /// <summary>
    /// The current, enabled sequence a trigger enrolls in, with its steps; read once per request (this service is scoped
    /// to it), so the new enrollments of a hand-off batch share one read. An edit is seen from the next request on.
    /// </summary>
    private async Task<Sequence?> CurrentSequenceAsync(string trigger, CancellationToken ct)
    {
        if (!currentSequences.TryGetValue(trigger, out var sequence))
        {
            sequence = await db.Sequences.AsNoTracking().Include(s => s.Steps)
                .Where(s => s.Trigger == trigger && s.IsCurrent && s.Enabled)
                .OrderBy(s => s.Key)
                .FirstOrDefaultAsync(ct);
            currentSequences[trigger] = sequence;
        }
        return sequence;
    }

    /// <summary>Whether a sequence offers a discount: its enrollments are then given a discount arm, and features with it.</summary>
    private static bool OffersDiscount(Sequence sequence) => sequence.Steps.Any(s => s.Enabled && s.DiscountCode is not null);

    private async Task<bool> OffersDiscountAsync(string trigger, CancellationToken ct)
        => await CurrentSequenceAsync(trigger, ct) is { } sequence && OffersDiscount(sequence);

    /// <summary>What the uplift model will see of this enrollment: the event, the furthest state and the shopper's history.</summary>
    private async Task<string> FeaturesAsync(
        WorkflowEvent e, string json, string? email, string? furthestState, DateTimeOffset occurredAt, Turn turn, CancellationToken ct)
    {
        var store = await settings.ForStoreAsync(e.StoreId, ct);
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(store.TimeZone, out var found) ? found : TimeZoneInfo.Utc;
        var history = turn.Reads.History(turn.Index, email, occurredAt) ?? await HistoryAsync(e.StoreId, email, occurredAt, turn, ct);
        using var document = JsonDocument.Parse(json);
        return EnrollmentFeatures.Serialize(RecoveryFeatureBuilder.Build(document.RootElement, history, zone, furthestState));
    }

    /// <summary>
    /// The shopper's history from the database. It counts recoveries and discounts by the enrollments' email: an update of
    /// the batch that gave an enrollment another shopper is written first. The batch's other unwritten work does not
    /// change it (a new enrollment has neither yet).
    /// </summary>
    private async Task<ShopperHistory> HistoryAsync(string storeId, string? email, DateTimeOffset occurredAt, Turn turn, CancellationToken ct)
    {
        if (unwrittenUpdates.Values.Any(u => u.MovesShopper))
        {
            await WriteEnrollmentsAsync(ct);
        }
        return await EnrollmentFeatures.HistoryAsync(db, storeId, email, occurredAt, turn.StoredAfter, ct);
    }
}
