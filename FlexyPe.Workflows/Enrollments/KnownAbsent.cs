using FlexyPe.Workflows.HandOffs;
using FlexyPe.Workflows.Infrastructure;
using FlexyPe.Workflows.Model;
using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Workflows.Enrollments;

/// <summary>
/// What a hand-off batch found absent before its events' rules ran: an enrollment of an event's checkout, session or
/// customer, and an active enrollment of an event's shopper. Read in two statements once the batch holds its locks (so no
/// one else can enroll these shoppers and subjects until it commits), it spares each event the reads whose answer is
/// known to be "none". Once an event's rules have run, its shopper and subject are no longer known: the events after it
/// read them from the database, as every event used to.
/// </summary>
public sealed class KnownAbsent
{
    private readonly HashSet<(string Store, string Trigger, string Subject)> subjects;
    private readonly HashSet<(string Store, string Email)> shoppers;

    private KnownAbsent(HashSet<(string, string, string)> subjects, HashSet<(string, string)> shoppers)
    {
        this.subjects = subjects;
        this.shoppers = shoppers;
    }

    /// <summary>Nothing known: every read goes to the database (an event taken on its own).</summary>
    public static KnownAbsent Nothing() => new([], []);

    /// <summary>The key an event's enrollment is found by, with its type as the trigger; null for an event that enrolls no one.</summary>
    public static string? SubjectKey(WorkflowEvent e) => e.Type switch
    {
        EventTypes.AbandonedCheckout => e.Checkout?.Key,
        EventTypes.AbandonedSession => e.Session?.Key,
        EventTypes.NewCustomer => e.ShopperEmail ?? e.Customer?.ShopifyCustomerId ?? e.EventId,
        _ => null,
    };

    public static async Task<KnownAbsent> ReadAsync(WorkflowsDbContext db, IReadOnlyList<WorkflowEvent> events, CancellationToken ct)
    {
        var subjects = events.Select(e => (Store: e.StoreId, Trigger: e.Type, Subject: SubjectKey(e)))
            .Where(s => s.Subject is not null).Select(s => (s.Store, s.Trigger, Subject: s.Subject!)).ToHashSet();
        var shoppers = events.Where(e => e.ShopperEmail is not null).Select(e => (Store: e.StoreId, Email: e.ShopperEmail!)).ToHashSet();
        string[] subjectStores = [.. subjects.Select(s => s.Store)], triggers = [.. subjects.Select(s => s.Trigger)],
            keys = [.. subjects.Select(s => s.Subject)];
        // Views enroll no one, and anonymous events have no shopper: a batch without either reads nothing for it.
        var enrolled = subjects.Count == 0 ? [] : await db.Database.SqlQuery<Subject>($"""
            SELECT k.store_id, k.trigger, k.subject_key FROM unnest({subjectStores}, {triggers}, {keys}) AS k(store_id, trigger, subject_key)
            WHERE EXISTS (SELECT 1 FROM enrollments e
                WHERE e.store_id = k.store_id AND e.trigger = k.trigger AND e.subject_key = k.subject_key)
            """).ToListAsync(ct);
        string[] shopperStores = [.. shoppers.Select(s => s.Store)], emails = [.. shoppers.Select(s => s.Email)];
        var active = shoppers.Count == 0 ? [] : await db.Database.SqlQuery<Shopper>($"""
            SELECT k.store_id, k.email FROM unnest({shopperStores}, {emails}) AS k(store_id, email)
            WHERE EXISTS (SELECT 1 FROM enrollments e
                WHERE e.shopper_email = k.email AND e.store_id = k.store_id AND e.state = {EnrollmentStates.Active})
            """).ToListAsync(ct);
        subjects.ExceptWith(enrolled.Select(s => (s.StoreId, s.Trigger, s.SubjectKey)));
        shoppers.ExceptWith(active.Select(s => (s.StoreId, s.Email)));
        return new KnownAbsent(subjects, shoppers);
    }

    /// <summary>Known: the store has no enrollment of this trigger for this checkout, session or customer.</summary>
    public bool NoEnrollment(string storeId, string trigger, string subjectKey) => subjects.Contains((storeId, trigger, subjectKey));

    /// <summary>Known: the shopper has no active enrollment in the store.</summary>
    public bool NoActiveEnrollment(string storeId, string email) => shoppers.Contains((storeId, email));

    /// <summary>The event's rules have run: what they may have enrolled or changed is no longer known.</summary>
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

    private sealed record Subject(string StoreId, string Trigger, string SubjectKey);

    private sealed record Shopper(string StoreId, string Email);
}
