using FlexyPe.Workflows.Enrollments;
using FlexyPe.Workflows.Infrastructure;
using FlexyPe.Workflows.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Workflows.Apis;

/// <param name="HeldOut">Held out of the store's messages (docs/uplift.md): enrolled and tracked, sent nothing.</param>
/// <param name="DiscountArm">explore_offer, explore_withhold or policy; null when held out or the sequence has no discount.</param>
public sealed record EnrollmentSummary(
    Guid Id, string StoreId, string SequenceKey, int SequenceVersion, string Trigger, string SubjectKey, string? Email,
    string State, string? EndReason, string? SessionState, DateTimeOffset EnrolledAt, DateTimeOffset? EndedAt,
    bool HeldOut = false, string? DiscountArm = null, DateTimeOffset? PurchasedAt = null, decimal? PurchaseRevenue = null);

/// <summary>Whether a step's discount was offered, who decided (model, rule, exploration), why, and what the model predicted.</summary>
public sealed record DiscountDecisionView(
    bool Offered, string Source, string? Reason, int? ModelVersion, double? PWith, double? PWithout, bool? ModelWouldOffer,
    decimal? CartValue, decimal? DiscountCost);

public sealed record StepStatus(
    int Number, DateTimeOffset DueAt, string State, string? Reason, DateTimeOffset? FiredAt, string? DeliveryStatus, string IdempotencyKey,
    DiscountDecisionView? Discount = null, Guid? VariantId = null);

/// <summary>
/// One line of an enrollment's history: enrolled, scheduled, discount (the step's discount decision), sent, skipped,
/// cancelled, clicked (with the link's index and URL), recovered, purchased (a purchase no message is credited with,
/// a held-out enrollment's included), ended.
/// </summary>
public sealed record TimelineEntry(
    DateTimeOffset? At, string Kind, int? Step, string? Reason, decimal? Revenue, int? LinkIndex = null, string? Url = null,
    DiscountDecisionView? Discount = null);

public sealed record EnrollmentView(EnrollmentSummary Enrollment, IReadOnlyList<StepStatus> Steps, IReadOnlyList<TimelineEntry> Timeline);

public sealed record StepStats(int Number, int Sent, int Skipped, int Cancelled, int Clicks, int Recovered, decimal Revenue);
public sealed record SequenceStats(string SequenceKey, int Enrolled, int Sent, int Clicks, int Recovered, decimal Revenue, IReadOnlyList<StepStats> Steps);
public sealed record DailyStats(DateOnly Date, int Enrolled, int Sent, int Clicks, int Recovered, decimal Revenue);

/// <summary>The filters of <c>GET /api/enrollments</c>.</summary>
public sealed record EnrollmentQuery(
    [property: FromQuery(Name = "store_id")] string? StoreId,
    [property: FromQuery(Name = "email")] string? Email,
    [property: FromQuery(Name = "phone")] string? Phone,
    [property: FromQuery(Name = "sequence")] string? Sequence,
    [property: FromQuery(Name = "subject_key")] string? SubjectKey,
    [property: FromQuery(Name = "state")] string? State,
    [property: FromQuery(Name = "limit")] int? Limit);

/// <summary>A period of the stats: <c>from</c> inclusive, <c>to</c> exclusive, either open; optionally one store.</summary>
public sealed record StatsQuery(
    [property: FromQuery(Name = "store_id")] string? StoreId,
    [property: FromQuery(Name = "from")] DateTimeOffset? From,
    [property: FromQuery(Name = "to")] DateTimeOffset? To);

/// <summary>Enrollments with their timeline, and recovery stats per sequence and step.</summary>
public static class EnrollmentsApi
{
    public static RouteGroupBuilder MapEnrollmentsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").RequireAdminApiKey().WithTags("Enrollments");
        api.MapGet("/enrollments", ListAsync);
        api.MapGet("/enrollments/{id:guid}", GetAsync);
        api.MapGet("/stats/sequences", StatsAsync).WithSummary("Per sequence and step, over a period: enrolled, sent, skipped, cancelled, clicks, recovered, revenue.");
        api.MapGet("/stats/daily", DailyAsync).WithSummary("Per day of a period: enrolled, sent, clicks, recovered, revenue.");
        return api;
    }

    public static async Task<Ok<List<EnrollmentSummary>>> ListAsync([AsParameters] EnrollmentQuery query, WorkflowsDbContext db, CancellationToken ct)
    {
        var email = query.Email?.Trim().ToLowerInvariant();
        var phone = string.IsNullOrWhiteSpace(query.Phone) ? null : query.Phone.Trim().Replace(" ", "", StringComparison.Ordinal);
        var rows = await (
            from e in db.Enrollments
            join s in db.Sequences on e.SequenceId equals s.Id
            where (query.StoreId == null || e.StoreId == query.StoreId) && (email == null || e.ShopperEmail == email)
                && (phone == null || e.ShopperPhone == phone)
                && (query.Sequence == null || e.SequenceKey == query.Sequence) && (query.SubjectKey == null || e.SubjectKey == query.SubjectKey)
                && (query.State == null || e.State == query.State)
            orderby e.EnrolledAt descending
            select new { e, s.Version })
            .Take(Math.Clamp(query.Limit ?? 100, 1, 1000))
            .ToListAsync(ct);
        return TypedResults.Ok(rows.Select(r => Summary(r.e, r.Version)).ToList());
    }

    public static async Task<Results<Ok<EnrollmentView>, NotFound>> GetAsync(Guid id, WorkflowsDbContext db, CancellationToken ct)
    {
        var enrollment = await db.Enrollments.Include(e => e.Steps).FirstOrDefaultAsync(e => e.Id == id, ct);
        if (enrollment is null)
        {
            return TypedResults.NotFound();
        }
        var version = await db.Sequences.Where(s => s.Id == enrollment.SequenceId).Select(s => s.Version).FirstAsync(ct);
        var recoveries = await db.Recoveries.Where(r => r.EnrollmentId == id).ToListAsync(ct);
        var steps = enrollment.Steps.OrderBy(s => s.StepNumber)
            .Select(s => new StepStatus(s.StepNumber, s.DueAt, s.State, s.Reason, s.FiredAt, s.DeliveryStatus, s.IdempotencyKey, Decision(s), s.VariantId))
            .ToList();

        var timeline = new List<TimelineEntry>
        {
            new(enrollment.EnrolledAt, "enrolled", null, enrollment.HeldOut ? "held out: tracked, sent nothing" : null, null),
        };
        foreach (var step in enrollment.Steps.OrderBy(s => s.StepNumber))
        {
            timeline.Add(new TimelineEntry(step.DueAt, "scheduled", step.StepNumber, step.State == StepStates.Scheduled ? step.Reason : null, null));
            if (Decision(step) is { } decision)
            {
                timeline.Add(new TimelineEntry(step.FiredAt, "discount", step.StepNumber, decision.Reason, null, Discount: decision));
            }
            if (step.State != StepStates.Scheduled)
            {
                timeline.Add(new TimelineEntry(step.FiredAt ?? enrollment.EndedAt, step.State, step.StepNumber, step.Reason, null));
            }
        }
        var keys = enrollment.Steps.ToDictionary(s => s.IdempotencyKey, s => s.StepNumber);
        var keyList = keys.Keys.ToList();
        var clicks = await db.DeliveryEvents.AsNoTracking()
            .Where(d => d.Type == DeliveryEventTypes.Clicked && d.IdempotencyKey != null && keyList.Contains(d.IdempotencyKey))
            .ToListAsync(ct);
        timeline.AddRange(clicks.Select(c => new TimelineEntry(c.OccurredAt, DeliveryEventTypes.Clicked, keys[c.IdempotencyKey!], null, null, c.LinkIndex, c.Url)));
        timeline.AddRange(recoveries.Select(r => new TimelineEntry(r.RecoveredAt, "recovered", r.StepNumber, "checkout completed", r.Revenue)));
        if (enrollment.PurchasedAt is { } purchasedAt && recoveries.Count == 0)
        {
            timeline.Add(new TimelineEntry(purchasedAt, "purchased", null,
                enrollment.HeldOut ? "checkout completed; held out, so no message is credited" : "checkout completed; no message is credited",
                enrollment.PurchaseRevenue));
        }
        if (enrollment.EndedAt is { } endedAt)
        {
            timeline.Add(new TimelineEntry(endedAt, enrollment.State == EnrollmentStates.Finished ? "finished" : "ended", null, enrollment.EndReason, null));
        }
        return TypedResults.Ok(new EnrollmentView(
            Summary(enrollment, version), steps, [.. timeline.OrderBy(t => t.At ?? DateTimeOffset.MaxValue)]));
    }

    /// <summary>Per sequence (all versions) and step, over a period: what was enrolled, fired, clicked and recovered in it.</summary>
    public static async Task<Ok<List<SequenceStats>>> StatsAsync([AsParameters] StatsQuery period, WorkflowsDbContext db, CancellationToken ct)
    {
        var (start, end) = Bounds(period);
        var store = period.StoreId;
        var enrolled = await db.Enrollments
            .Where(e => (store == null || e.StoreId == store) && e.EnrolledAt >= start && e.EnrolledAt < end)
            .GroupBy(e => e.SequenceKey)
            .Select(g => new { Key = g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var steps = await (
            from s in db.ScheduledSteps
            join e in db.Enrollments on s.EnrollmentId equals e.Id
            where (store == null || e.StoreId == store) && s.State != StepStates.Scheduled
                && (s.FiredAt ?? e.EndedAt) >= start && (s.FiredAt ?? e.EndedAt) < end
            group s by new { e.SequenceKey, s.StepNumber, s.State } into g
            select new { g.Key.SequenceKey, g.Key.StepNumber, g.Key.State, Count = g.Count() }).ToListAsync(ct);
        var clicks = await (
            from d in db.DeliveryEvents
            join s in db.ScheduledSteps on d.IdempotencyKey equals s.IdempotencyKey
            join e in db.Enrollments on s.EnrollmentId equals e.Id
            where d.Type == DeliveryEventTypes.Clicked && (store == null || e.StoreId == store) && d.OccurredAt >= start && d.OccurredAt < end
            group d by new { e.SequenceKey, s.StepNumber } into g
            select new { g.Key.SequenceKey, g.Key.StepNumber, Count = g.Count() }).ToListAsync(ct);
        var recoveries = await db.Recoveries
            .Where(r => (store == null || r.StoreId == store) && r.RecoveredAt >= start && r.RecoveredAt < end)
            .GroupBy(r => new { r.SequenceKey, r.StepNumber })
            .Select(g => new { g.Key.SequenceKey, g.Key.StepNumber, Count = g.Count(), Revenue = g.Sum(r => r.Revenue) }).ToListAsync(ct);

        var keys = enrolled.Keys.Union(steps.Select(s => s.SequenceKey)).Union(recoveries.Select(r => r.SequenceKey)).Order();
        var result = keys.Select(key =>
        {
            var numbers = steps.Where(s => s.SequenceKey == key).Select(s => s.StepNumber)
                .Union(recoveries.Where(r => r.SequenceKey == key).Select(r => r.StepNumber)).Order();
            var perStep = numbers.Select(n =>
            {
                int Count(string state) => steps.Where(s => s.SequenceKey == key && s.StepNumber == n && s.State == state).Sum(s => s.Count);
                var recovered = recoveries.Where(r => r.SequenceKey == key && r.StepNumber == n).ToList();
                return new StepStats(n, Count(StepStates.Sent), Count(StepStates.Skipped), Count(StepStates.Cancelled),
                    clicks.Where(c => c.SequenceKey == key && c.StepNumber == n).Sum(c => c.Count),
                    recovered.Sum(r => r.Count), recovered.Sum(r => r.Revenue));
            }).ToList();
            return new SequenceStats(key, enrolled.GetValueOrDefault(key), perStep.Sum(s => s.Sent), perStep.Sum(s => s.Clicks),
                perStep.Sum(s => s.Recovered), perStep.Sum(s => s.Revenue), perStep);
        }).ToList();
        return TypedResults.Ok(result);
    }

    /// <summary>Per UTC day of a period (default the last 30 days): the series the console's charts draw.</summary>
    public static async Task<Results<Ok<List<DailyStats>>, ValidationProblem>> DailyAsync([AsParameters] StatsQuery period, WorkflowsDbContext db, TimeProvider time, CancellationToken ct)
    {
        var end = period.To?.ToUniversalTime() ?? time.GetUtcNow();
        // A series has a row per day: a period is bounded (a year), and the default start must not fall before year 1.
        if (end.UtcTicks < TimeSpan.FromDays(DefaultDays).Ticks && period.From is null)
        {
            return PeriodProblem("to", "to is too early for the default period; give from as well");
        }
        var start = period.From?.ToUniversalTime() ?? end.AddDays(-DefaultDays);
        if (start >= end)
        {
            return PeriodProblem("from", "from must be before to");
        }
        if (end - start > TimeSpan.FromDays(MaxDays))
        {
            return PeriodProblem("from", $"a daily series covers at most {MaxDays} days");
        }
        var store = period.StoreId;
        var enrolled = await db.Enrollments
            .Where(e => (store == null || e.StoreId == store) && e.EnrolledAt >= start && e.EnrolledAt < end)
            .GroupBy(e => e.EnrolledAt.Date).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var sent = await (
            from s in db.ScheduledSteps
            join e in db.Enrollments on s.EnrollmentId equals e.Id
            where (store == null || e.StoreId == store) && s.State == StepStates.Sent && s.FiredAt >= start && s.FiredAt < end
            group s by s.FiredAt!.Value.Date into g
            select new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var clicks = await db.DeliveryEvents
            .Where(d => d.Type == DeliveryEventTypes.Clicked && (store == null || d.StoreId == store) && d.OccurredAt >= start && d.OccurredAt < end)
            .GroupBy(d => d.OccurredAt.Date).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var recovered = await db.Recoveries
            .Where(r => (store == null || r.StoreId == store) && r.RecoveredAt >= start && r.RecoveredAt < end)
            .GroupBy(r => r.RecoveredAt.Date).Select(g => new { g.Key, Count = g.Count(), Revenue = g.Sum(r => r.Revenue) }).ToListAsync(ct);

        var days = new List<DailyStats>();
        // to is exclusive: a period ending at midnight does not draw the day that begins then.
        var lastDay = DateOnly.FromDateTime(end.UtcDateTime.AddTicks(-1));
        for (var day = DateOnly.FromDateTime(start.UtcDateTime); day <= lastDay; day = day.AddDays(1))
        {
            var date = day.ToDateTime(TimeOnly.MinValue);
            var recovery = recovered.FirstOrDefault(r => r.Key == date);
            days.Add(new DailyStats(day,
                enrolled.FirstOrDefault(x => x.Key == date)?.Count ?? 0,
                sent.FirstOrDefault(x => x.Key == date)?.Count ?? 0,
                clicks.FirstOrDefault(x => x.Key == date)?.Count ?? 0,
                recovery?.Count ?? 0, recovery?.Revenue ?? 0m));
        }
        return TypedResults.Ok(days);
    }

    private const int DefaultDays = 30;
    private const int MaxDays = 366;

    private static ValidationProblem PeriodProblem(string field, string message)
        => TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    private static (DateTimeOffset From, DateTimeOffset To) Bounds(StatsQuery period)
        => (period.From?.ToUniversalTime() ?? DateTimeOffset.MinValue.ToUniversalTime(), period.To?.ToUniversalTime() ?? DateTimeOffset.MaxValue.ToUniversalTime());

    private static EnrollmentSummary Summary(Enrollment e, int version) => new(
        e.Id, e.StoreId, e.SequenceKey, version, e.Trigger, e.SubjectKey, e.ShopperEmail, e.State, e.EndReason,
        e.SessionState, e.EnrolledAt, e.EndedAt, e.HeldOut, e.DiscountArm, e.PurchasedAt, e.PurchaseRevenue);

    private static DiscountDecisionView? Decision(ScheduledStep s) => s.DecisionSource is null ? null : new(
        s.DiscountOffered == true, s.DecisionSource, s.DecisionReason, s.ModelVersion, s.PWith, s.PWithout, s.ModelWouldOffer,
        s.DecisionCartValue, s.DiscountCost);
}
