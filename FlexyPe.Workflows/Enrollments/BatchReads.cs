using FlexyPe.Workflows.HandOffs;
using FlexyPe.Workflows.Infrastructure;
using FlexyPe.Workflows.Model;
using FlexyPe.Workflows.Uplift;
using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Workflows.Enrollments;

/// <summary>
/// What a hand-off batch reads once, in one statement, for the events that will begin an enrollment (the first of their
/// checkout, session or customer in the batch, none enrolled before it: <see cref="KnownEnrollments"/>): whether the shopper,
/// or without an email the checkout, completed a purchase since the event happened (<see cref="PurchaseExit.PurchasedSinceAsync"/>),
/// and the shopper's history for the uplift features (<see cref="EnrollmentFeatures.HistoryAsync"/>). Each of those is
/// otherwise a round trip of its own, made at the event's turn.
/// <para>
/// The batch's events are all stored before this reads, and an event's own read leaves out the ones after it in the batch
/// (as not received yet). So the statement counts rows rather than asking whether one exists, and an event's answer is
/// that count less the rows of the batch's later events it counted, found in memory with the statement's own conditions.
/// The rest of what the features count (recoveries, discounts offered) can change during the batch only through an
/// earlier event of the same shopper, or for an event dated after the batch was taken: those events read at their turn,
/// as does every event this did not read for.
/// </para>
/// </summary>
public sealed class BatchReads
{
    private readonly IReadOnlyList<WorkflowEvent> events;
    private readonly bool[] stored;
    private readonly DateTimeOffset now;
    private readonly Dictionary<int, (Wanted Wanted, Row Row)> rows;

    private BatchReads(IReadOnlyList<WorkflowEvent> events, bool[] stored, DateTimeOffset now, Dictionary<int, (Wanted, Row)> rows)
    {
        this.events = events;
        this.stored = stored;
        this.now = now;
        this.rows = rows;
    }

    /// <summary>Nothing read: every event reads at its turn (an event taken on its own).</summary>
    public static BatchReads Nothing() => new([], [], default, []);

    /// <summary>
    /// Reads for the batch's events that will begin an enrollment: the purchase check for an abandoned checkout or session,
    /// the history for one whose trigger's sequence offers a discount (<paramref name="offersDiscount"/>: only those
    /// enrollments are given a discount arm, and features with it).
    /// </summary>
    public static async Task<BatchReads> ReadAsync(
        WorkflowsDbContext db, IReadOnlyList<WorkflowEvent> events, bool[] stored, KnownEnrollments known,
        Func<string, CancellationToken, Task<bool>> offersDiscount, DateTimeOffset now, CancellationToken ct)
    {
        var wanted = new List<Wanted>();
        var subjects = new HashSet<(string, string, string)>();
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            var subject = KnownEnrollments.SubjectKey(e);
            if (!stored[i] || subject is null || e.Checkout?.SessionState == SessionStates.Completed
                || !subjects.Add((e.StoreId, e.Type, subject)) || !known.NoEnrollment(e.StoreId, e.Type, subject))
            {
                continue;
            }
            var purchaseCheck = e.Type == EventTypes.AbandonedCheckout || (e.Type == EventTypes.AbandonedSession && e.ShopperEmail is not null);
            var history = e.ShopperEmail is not null && await offersDiscount(e.Type, ct);
            if (purchaseCheck || history)
            {
                var checkoutKey = e.Type == EventTypes.AbandonedCheckout ? subject : null;
                wanted.Add(new Wanted(i, e.StoreId, e.ShopperEmail, checkoutKey, e.HappenedAt(now).ToUniversalTime(), purchaseCheck, history));
            }
        }
        if (wanted.Count == 0)
        {
            return new BatchReads(events, stored, now, []);
        }
        int[] turns = [.. wanted.Select(w => w.Turn)];
        string[] stores = [.. wanted.Select(w => w.StoreId)];
        string?[] emails = [.. wanted.Select(w => w.Email)], keys = [.. wanted.Select(w => w.CheckoutKey)];
        DateTimeOffset[] happened = [.. wanted.Select(w => w.HappenedAt)];
        bool[] purchaseChecks = [.. wanted.Select(w => w.PurchaseCheck)], histories = [.. wanted.Select(w => w.History)];
        string checkout = EventTypes.AbandonedCheckout, completed = SessionStates.Completed;
        // The conditions of PurchaseExit.PurchasedSinceAsync and EnrollmentFeatures.HistoryAsync, less their notYet. Only
        // the anonymous check names the type and state as literals, as the index of completed checkouts by key needs: named
        // so in a shopper's reads, they let the planner take that index there too (led by the store alone, it reads every
        // completed checkout of the store). Its plan is the same for any batch, but left to choose, Postgres plans it again
        // on every call (the arrays' lengths make each call's own plan look cheaper than the general one), and that
        // planning cost more than the reads it replaces: so the general plan, for this statement only, in the same round trip.
        var read = await db.Database.SqlQuery<Row>($"""
            SET LOCAL plan_cache_mode = force_generic_plan;
            SELECT k.turn,
              CASE WHEN NOT k.purchase_check THEN 0
                WHEN k.email IS NOT NULL THEN (SELECT count(*)::int FROM received_events r
                  WHERE r.store_id = k.store_id AND r.shopper_email = k.email AND r.type = {checkout}
                    AND r.occurred_at >= k.happened_at AND r.payload -> 'checkout' ->> 'session_state' = {completed})
                ELSE (SELECT count(*)::int FROM received_events r
                  WHERE r.store_id = k.store_id AND (r.payload -> 'checkout') ->> 'key' = k.checkout_key
                    AND r.type = 'abandoned_checkout' AND ((r.payload -> 'checkout') ->> 'session_state') = 'COMPLETED'
                    AND r.shopper_email IS NULL AND r.occurred_at >= k.happened_at)
              END AS purchases_since,
              CASE WHEN k.history THEN (SELECT count(*)::int FROM received_events r
                WHERE r.store_id = k.store_id AND r.shopper_email = k.email AND r.type = {checkout}
                  AND r.occurred_at < k.happened_at AND r.payload -> 'checkout' ->> 'session_state' = {completed}) ELSE 0 END AS purchases,
              CASE WHEN k.history THEN (SELECT count(*)::int FROM recoveries c JOIN enrollments e ON e.id = c.enrollment_id
                WHERE e.store_id = k.store_id AND e.shopper_email = k.email AND c.recovered_at < k.happened_at) ELSE 0 END AS recoveries,
              CASE WHEN k.history THEN (SELECT count(*)::int FROM scheduled_steps s JOIN enrollments e ON e.id = s.enrollment_id
                WHERE e.store_id = k.store_id AND e.shopper_email = k.email AND s.discount_offered AND s.fired_at < k.happened_at) ELSE 0 END AS discounts,
              CASE WHEN k.history THEN (SELECT count(*)::int FROM received_events r
                WHERE r.store_id = k.store_id AND r.shopper_email = k.email
                  AND r.type IN ({EventTypes.ProductViewed}, {EventTypes.CollectionViewed}) AND r.occurred_at <= k.happened_at) ELSE 0 END AS views
            FROM unnest({turns}, {stores}, {emails}, {keys}, {happened}, {purchaseChecks}, {histories})
                AS k(turn, store_id, email, checkout_key, happened_at, purchase_check, history);
            SET LOCAL plan_cache_mode TO DEFAULT
            """).ToListAsync(ct);
        var byTurn = wanted.ToDictionary(w => w.Turn);
        return new BatchReads(events, stored, now, read.ToDictionary(r => r.Turn, r => (byTurn[r.Turn], r)));
    }

    /// <summary>
    /// Whether the shopper (or, without an email, the checkout) of the batch's event at <paramref name="turn"/> purchased
    /// since it happened, as a read at its turn would answer; null when this batch did not read it.
    /// </summary>
    public bool? PurchasedSince(int turn, string? email, string? checkoutKey, DateTimeOffset happenedAt)
    {
        if (!rows.TryGetValue(turn, out var read) || read.Wanted is not { PurchaseCheck: true } w
            || w.Email != email || w.CheckoutKey != checkoutKey || w.HappenedAt != happenedAt)
        {
            return null;
        }
        var later = Later(turn).Count(e => e.StoreId == w.StoreId && e.Type == EventTypes.AbandonedCheckout
            && e.Checkout?.SessionState == SessionStates.Completed && e.HappenedAt(now) >= happenedAt
            && (email is not null ? e.ShopperEmail == email : e.ShopperEmail is null && e.Checkout.Key == checkoutKey));
        return read.Row.PurchasesSince - later > 0;
    }

    /// <summary>
    /// The history of the shopper of the batch's event at <paramref name="turn"/> before it happened, as a read at its turn
    /// would answer; null when this batch did not read it, or when that read could see more than the batch's own events
    /// (an earlier event of the same shopper in the batch may have changed their enrollments; an event dated after the
    /// batch was taken would count the recoveries the batch records).
    /// </summary>
    public ShopperHistory? History(int turn, string? email, DateTimeOffset happenedAt)
    {
        if (!rows.TryGetValue(turn, out var read) || read.Wanted is not { History: true } w || w.Email != email || w.HappenedAt != happenedAt
            || happenedAt > now
            || Enumerable.Range(0, turn).Any(j => stored[j] && events[j].StoreId == w.StoreId && events[j].ShopperEmail == email
                && events[j].Type is EventTypes.AbandonedCheckout or EventTypes.AbandonedSession or EventTypes.NewCustomer))
        {
            return null;
        }
        var later = Later(turn).Where(e => e.StoreId == w.StoreId && e.ShopperEmail == email).ToList();
        var purchases = later.Count(e => e.Type == EventTypes.AbandonedCheckout && e.Checkout?.SessionState == SessionStates.Completed
            && e.HappenedAt(now) < happenedAt);
        var views = later.Count(e => (e.Type is EventTypes.ProductViewed or EventTypes.CollectionViewed) && e.HappenedAt(now) <= happenedAt);
        var row = read.Row;
        return new ShopperHistory(row.Purchases - purchases, row.Recoveries, row.Discounts, row.Views - views);
    }

    /// <summary>The batch's events after <paramref name="turn"/> stored with it: what its own read would leave out.</summary>
    private IEnumerable<WorkflowEvent> Later(int turn) => Enumerable.Range(turn + 1, events.Count - turn - 1).Where(j => stored[j]).Select(j => events[j]);

    /// <summary>An event read for, with what its own read would ask (the checkout only for an abandoned checkout's check).</summary>
    private sealed record Wanted(
        int Turn, string StoreId, string? Email, string? CheckoutKey, DateTimeOffset HappenedAt, bool PurchaseCheck, bool History);

    private sealed record Row(int Turn, int PurchasesSince, int Purchases, int Recoveries, int Discounts, int Views);
}
