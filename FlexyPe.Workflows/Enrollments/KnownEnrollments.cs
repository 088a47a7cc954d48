using FlexyPe.Workflows.HandOffs;
using FlexyPe.Workflows.Infrastructure;
using FlexyPe.Workflows.Model;
using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Workflows.Enrollments;

/// <summary>What updating an enrollment reads of it: not its features (large jsonb), which an update replaces.</summary>
public sealed record Enrolled(
    Guid Id, string? SessionState, DateTimeOffset ContextOccurredAt, string? ShopperEmail, string? ShopperPhone, string? DiscountArm);

/// <summary>
/// What a hand-off batch knows of the enrollments its events' rules read, so each event need not read them itself: for
/// every checkout, session or customer of the batch, its enrollment (<see cref="Enrolled"/>) or that it has none; for
/// every shopper of the batch, the enrollments that may be active, with their sequences' exit rules. Read in two
/// statements once the batch holds its locks, so no one else can enroll these shoppers and subjects, or update their
/// enrollments, until it commits; others can only end enrollments (step firing, unsubscribes), so what is known of a
/// shopper may hold an enrollment no longer active, never miss one that is. (A sequence edit that moves active
/// enrollments to its new version, whose exit rules may differ, takes no shopper's lock: one committed while a batch is
/// taken counts for that batch's events as if made after it.) Then each event's rules tell it what they
/// did (<see cref="Remember"/>, <see cref="Began"/>, <see cref="Ended"/>), and an event whose rules it does not follow (a
/// purchase) makes its shopper and subject unknown again (<see cref="Forget"/>): the events after it read them from the
/// database, as an event taken on its own does.
/// </summary>
public sealed class KnownEnrollments
{
    private readonly Dictionary<(string Store, string Trigger, string Subject), Enrolled?> subjects;
    private readonly Dictionary<(string Store, string Email), List<Candidate>> shoppers;

    private KnownEnrollments(
        Dictionary<(string, string, string), Enrolled?> subjects, Dictionary<(string, string), List<Candidate>> shoppers)
    {
        this.subjects = subjects;
        this.shoppers = shoppers;
    }

    /// <summary>Nothing known: every read goes to the database (an event taken on its own).</summary>
    public static KnownEnrollments Nothing() => new([], []);

    /// <summary>The key an event's enrollment is found by, with its type as the trigger; null for an event that enrolls no one.</summary>
    public static string? SubjectKey(WorkflowEvent e) => e.Type switch
    {
        EventTypes.AbandonedCheckout => e.Checkout?.Key,
        EventTypes.AbandonedSession => e.Session?.Key,
        EventTypes.NewCustomer => e.ShopperEmail ?? e.Customer?.ShopifyCustomerId ?? e.EventId,
        _ => null,
    };

    public static async Task<KnownEnrollments> ReadAsync(WorkflowsDbContext db, IReadOnlyList<WorkflowEvent> events, CancellationToken ct)
    {
        var subjectKeys = events.Select(e => (Store: e.StoreId, Trigger: e.Type, Subject: SubjectKey(e)))
            .Where(s => s.Subject is not null).Select(s => (s.Store, s.Trigger, Subject: s.Subject!)).Distinct().ToArray();
        var shopperKeys = events.Where(e => e.ShopperEmail is not null).Select(e => (Store: e.StoreId, Email: e.ShopperEmail!)).Distinct().ToArray();
        string[] subjectStores = [.. subjectKeys.Select(s => s.Store)], triggers = [.. subjectKeys.Select(s => s.Trigger)],
            keys = [.. subjectKeys.Select(s => s.Subject)];
        // Views enroll no one, and anonymous events have no shopper: a batch without either reads nothing for it.
        var enrolled = subjectKeys.Length == 0 ? [] : await db.Database.SqlQuery<EnrolledRow>($"""
            SELECT e.store_id, e.trigger, e.subject_key, e.id, e.session_state, e.context_occurred_at, e.shopper_email,
                e.shopper_phone, e.discount_arm
            FROM unnest({subjectStores}, {triggers}, {keys}) AS k(store_id, trigger, subject_key)
            JOIN enrollments e ON e.store_id = k.store_id AND e.trigger = k.trigger AND e.subject_key = k.subject_key
            """).ToListAsync(ct);
        string[] shopperStores = [.. shopperKeys.Select(s => s.Store)], emails = [.. shopperKeys.Select(s => s.Email)];
        var active = shopperKeys.Length == 0 ? [] : await db.Database.SqlQuery<ActiveRow>($"""
            SELECT e.store_id, e.shopper_email, e.id, e.trigger, s.exit_rules
            FROM unnest({shopperStores}, {emails}) AS k(store_id, email)
            JOIN enrollments e ON e.shopper_email = k.email AND e.store_id = k.store_id AND e.state = {EnrollmentStates.Active}
            JOIN sequences s ON s.id = e.sequence_id
            """).ToListAsync(ct);
        var subjects = subjectKeys.ToDictionary(k => k, _ => (Enrolled?)null);
        foreach (var row in enrolled)
        {
            subjects[(row.StoreId, row.Trigger, row.SubjectKey)] = new Enrolled(
                row.Id, row.SessionState, row.ContextOccurredAt, row.ShopperEmail, row.ShopperPhone, row.DiscountArm);
        }
        var shoppers = shopperKeys.ToDictionary(k => k, _ => new List<Candidate>());
        foreach (var row in active)
        {
            shoppers[(row.StoreId, row.ShopperEmail)].Add(new Candidate(row.Id, row.Trigger, row.ExitRules));
        }
        return new KnownEnrollments(subjects, shoppers);
    }

    /// <summary>Known: the store has no enrollment of this trigger for this checkout, session or customer.</summary>
    public bool NoEnrollment(string storeId, string trigger, string subjectKey)
        => subjects.TryGetValue((storeId, trigger, subjectKey), out var enrolled) && enrolled is null;

    /// <summary>Whether the enrollment of this checkout, session or customer is known; <paramref name="enrolled"/> is it, or null for none.</summary>
    public bool Knows(string storeId, string trigger, string subjectKey, out Enrolled? enrolled)
        => subjects.TryGetValue((storeId, trigger, subjectKey), out enrolled);

    /// <summary>Known: none of the shopper's active enrollments but <paramref name="except"/> has <paramref name="rule"/> among its sequence's exit rules.</summary>
    public bool NoActiveWithExitRule(string storeId, string email, string rule, Guid? except)
        => shoppers.TryGetValue((storeId, email), out var candidates) && !candidates.Any(c => c.Id != except && c.ExitRules.Contains(rule));

    /// <summary>Known: the shopper has no active enrollment of this trigger.</summary>
    public bool NoActiveOf(string storeId, string email, string trigger)
        => shoppers.TryGetValue((storeId, email), out var candidates) && !candidates.Any(c => c.Trigger == trigger);

    /// <summary>An event's rules found or left the enrollment of this checkout, session or customer as <paramref name="enrolled"/>.</summary>
    public void Remember(string storeId, string trigger, string subjectKey, Enrolled enrolled)
    {
        subjects[(storeId, trigger, subjectKey)] = enrolled;
        // An enrollment that now names another shopper is one more that shopper may have: read from the database again.
        if (enrolled.ShopperEmail is { } email && shoppers.TryGetValue((storeId, email), out var candidates)
            && !candidates.Any(c => c.Id == enrolled.Id))
        {
            shoppers.Remove((storeId, email));
        }
    }

    /// <summary>An event's rules began an active enrollment of the shopper in a sequence with these exit rules.</summary>
    public void Began(string storeId, string trigger, string subjectKey, Enrolled enrolled, IReadOnlyList<string> exitRules)
    {
        subjects[(storeId, trigger, subjectKey)] = enrolled;
        if (enrolled.ShopperEmail is { } email && shoppers.TryGetValue((storeId, email), out var candidates))
        {
            candidates.Add(new Candidate(enrolled.Id, trigger, [.. exitRules]));
        }
    }

    /// <summary>An event's rules ended every active enrollment of the shopper but <paramref name="except"/> with <paramref name="rule"/>.</summary>
    public void Ended(string storeId, string email, string rule, Guid? except)
    {
        if (shoppers.TryGetValue((storeId, email), out var candidates))
        {
            candidates.RemoveAll(c => c.Id != except && c.ExitRules.Contains(rule));
        }
    }

    /// <summary>The event's rules changed what this does not follow: its shopper and subject are read from the database again.</summary>
    public void Forget(WorkflowEvent e)
    {
        if (SubjectKey(e) is { } subject)
        {
            subjects.Remove((e.StoreId, e.Type, subject));
        }
        if (e.ShopperEmail is { } email)
        {
            shoppers.Remove((e.StoreId, email));
        }
    }

    /// <summary>An enrollment of a shopper that may be active.</summary>
    private sealed record Candidate(Guid Id, string Trigger, string[] ExitRules);

    private sealed record EnrolledRow(
        string StoreId, string Trigger, string SubjectKey, Guid Id, string? SessionState, DateTimeOffset ContextOccurredAt,
        string? ShopperEmail, string? ShopperPhone, string? DiscountArm);

    private sealed record ActiveRow(string StoreId, string ShopperEmail, Guid Id, string Trigger, string[] ExitRules);
}
