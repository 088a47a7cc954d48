using FlexyPe.Workflows.Infrastructure;
using FlexyPe.Workflows.Model;
using FlexyPe.Workflows.Telemetry;
using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Workflows.Enrollments;

/// <summary>Ending an enrollment, or some of its steps: an update of the rows still scheduled.</summary>
public sealed class EnrollmentEnding(WorkflowsDbContext db, WorkflowClock clock, WorkflowsTelemetry telemetry, CountsOnCommit counts)
{
    public async Task EndAsync(Enrollment enrollment, string state, string reason, CancellationToken ct)
    {
        if (enrollment.State == EnrollmentStates.Active)
        {
            enrollment.State = state;
            enrollment.EndReason = reason;
            enrollment.EndedAt = clock.Now;
            await db.SaveChangesAsync(ct);
        }
        await CancelStepsAsync(enrollment.Id, null, reason, ct);
    }

    /// <summary>Cancels the still-scheduled steps of an enrollment (only <paramref name="numbers"/> when given).</summary>
    public async Task<int> CancelStepsAsync(Guid enrollmentId, IReadOnlyCollection<int>? numbers, string reason, CancellationToken ct)
    {
        var cancelled = await db.ScheduledSteps
            .Where(s => s.EnrollmentId == enrollmentId && s.State == StepStates.Scheduled
                && (numbers == null || numbers.Contains(s.StepNumber)))
            .ExecuteUpdateAsync(u => u
                .SetProperty(s => s.State, StepStates.Cancelled)
                .SetProperty(s => s.Reason, reason), ct);
        if (cancelled > 0)
        {
            counts.Add(telemetry.StepsCancelled, cancelled, new KeyValuePair<string, object?>("reason", reason));
        }
        return cancelled;
    }

    /// <summary>The one finishing rule: an active enrollment with no step left to run is finished.</summary>
    public async Task FinishIfNothingLeftAsync(IReadOnlyCollection<Guid> enrollmentIds, CancellationToken ct)
        => await db.Enrollments
            .Where(e => enrollmentIds.Contains(e.Id) && e.State == EnrollmentStates.Active
                && !db.ScheduledSteps.Any(s => s.EnrollmentId == e.Id && s.State == StepStates.Scheduled))
            .ExecuteUpdateAsync(u => u
                .SetProperty(e => e.State, EnrollmentStates.Finished)
                .SetProperty(e => e.EndedAt, clock.Now), ct);

    /// <summary>Ends the shopper's active enrollments whose sequence version has <paramref name="rule"/>.</summary>
    public async Task EndForShopperAsync(string storeId, string email, Guid? except, string rule, string reason, CancellationToken ct)
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
            await EndAsync(enrollment, EnrollmentStates.Ended, reason, ct);
        }
    }

    /// <summary>Serializes work on one key (a shopper, a checkout) across requests and replicas until the transaction ends.</summary>
    public Task LockAsync(string storeId, string key, CancellationToken ct)
        => db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock(hashtextextended({LockName(storeId, key)}, 0))", ct);

    /// <summary>
    /// Of <paramref name="names"/> (from <see cref="LockName"/>), the locks held by another transaction now; the others
    /// this transaction now holds. Never waits: step firing holds claimed steps that event intake may be waiting for.
    /// </summary>
    public async Task<HashSet<string>> TryLockAsync(IReadOnlyCollection<string> names, CancellationToken ct)
    {
        if (names.Count == 0)
        {
            return [];
        }
        var ordered = names.Distinct().Order(StringComparer.Ordinal).ToArray();
        var busy = await db.Database.SqlQuery<string>($"""
            SELECT n AS "Value" FROM unnest({ordered}) WITH ORDINALITY AS t(n, i)
            WHERE NOT pg_try_advisory_xact_lock(hashtextextended(n, 0))
            ORDER BY i
            """).ToListAsync(ct);
        return [.. busy];
    }

    /// <summary>
    /// The locks of many events at once (names from <see cref="LockName"/>), in one statement: every shopper first, then
    /// every checkout and session, each in sorted order, the order one event takes its own in. So two batches, or a
    /// batch and one event, never wait on each other in a cycle.
    /// </summary>
    public async Task LockAllAsync(IEnumerable<string> shopperNames, IEnumerable<string> subjectNames, CancellationToken ct)
    {
        var shoppers = shopperNames.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var subjects = subjectNames.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (shoppers.Length + subjects.Length == 0)
        {
            return;
        }
        string[] names = [.. shoppers, .. subjects];
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            SELECT pg_advisory_xact_lock(hashtextextended(n, 0))
            FROM (SELECT n FROM unnest({names}::text[]) WITH ORDINALITY AS t(n, i) ORDER BY i) AS ordered
            """, ct);
    }

    /// <summary>The name of the lock on one key of a store (what <see cref="LockAsync"/> takes).</summary>
    public static string LockName(string storeId, string key) => storeId + "|" + key;

    /// <summary>The key of a shopper: held while Workflows takes an event of theirs.</summary>
    public static string ShopperKey(string email) => "shopper:" + email;
}
