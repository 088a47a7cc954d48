using FlexyPe.Workflows.Enrollments;
using FlexyPe.Workflows.Infrastructure;
using FlexyPe.Workflows.Scheduling;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Workflows.Apis;

public sealed record EnrollmentSummary(
    Guid Id, string StoreId, string SequenceKey, int SequenceVersion, string Trigger, string SubjectKey, string? Email,
    string State, string? EndReason, string? SessionState, DateTimeOffset EnrolledAt, DateTimeOffset? EndedAt);

public sealed record StepStatus(
    int Number, DateTimeOffset DueAt, string State, string? Reason, DateTimeOffset? FiredAt, string? DeliveryStatus, string IdempotencyKey);

/// <summary>One line of an enrollment's history: enrolled, scheduled, sent, skipped, cancelled, recovered, ended.</summary>
public sealed record TimelineEntry(DateTimeOffset? At, string Kind, int? Step, string? Reason, decimal? Revenue);

public sealed record EnrollmentView(EnrollmentSummary Enrollment, IReadOnlyList<StepStatus> Steps, IReadOnlyList<TimelineEntry> Timeline);

public sealed record StepStats(int Number, int Sent, int Skipped, int Cancelled, int Recovered, decimal Revenue);
public sealed record SequenceStats(string SequenceKey, int Enrolled, int Sent, int Recovered, decimal Revenue, IReadOnlyList<StepStats> Steps);

/// <summary>Enrollments with their timeline, and recovery stats per sequence and step.</summary>
public static class EnrollmentsApi
{
    public static RouteGroupBuilder MapEnrollmentsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").RequireAdminApiKey().WithTags("Enrollments");
        api.MapGet("/enrollments", ListAsync);
        api.MapGet("/enrollments/{id:guid}", GetAsync);
        api.MapGet("/stats/sequences", StatsAsync);
        return api;
    }

    public static async Task<Ok<List<EnrollmentSummary>>> ListAsync(
        WorkflowsDbContext db,
        [FromQuery(Name = "store_id")] string? storeId,
        [FromQuery(Name = "email")] string? email,
        [FromQuery(Name = "sequence")] string? sequence,
        [FromQuery(Name = "subject_key")] string? subjectKey,
        [FromQuery(Name = "state")] string? state,
        [FromQuery(Name = "limit")] int? limit,
        CancellationToken ct)
    {
        var normalizedEmail = email?.Trim().ToLowerInvariant();
        var rows = await (
            from e in db.Enrollments
            join s in db.Sequences on e.SequenceId equals s.Id
            where (storeId == null || e.StoreId == storeId) && (normalizedEmail == null || e.ShopperEmail == normalizedEmail)
                && (sequence == null || e.SequenceKey == sequence) && (subjectKey == null || e.SubjectKey == subjectKey)
                && (state == null || e.State == state)
            orderby e.EnrolledAt descending
            select new { e, s.Version })
            .Take(Math.Clamp(limit ?? 100, 1, 1000))
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
            .Select(s => new StepStatus(s.StepNumber, s.DueAt, s.State, s.Reason, s.FiredAt, s.DeliveryStatus, s.IdempotencyKey))
            .ToList();

        var timeline = new List<TimelineEntry> { new(enrollment.EnrolledAt, "enrolled", null, null, null) };
        foreach (var step in enrollment.Steps.OrderBy(s => s.StepNumber))
        {
            timeline.Add(new TimelineEntry(step.DueAt, "scheduled", step.StepNumber, step.State == StepStates.Scheduled ? step.Reason : null, null));
            if (step.State != StepStates.Scheduled)
            {
                timeline.Add(new TimelineEntry(step.FiredAt ?? enrollment.EndedAt, step.State, step.StepNumber, step.Reason, null));
            }
        }
        timeline.AddRange(recoveries.Select(r => new TimelineEntry(r.RecoveredAt, "recovered", r.StepNumber, "checkout completed", r.Revenue)));
        if (enrollment.EndedAt is { } endedAt)
        {
            timeline.Add(new TimelineEntry(endedAt, enrollment.State == EnrollmentStates.Finished ? "finished" : "ended", null, enrollment.EndReason, null));
        }
        return TypedResults.Ok(new EnrollmentView(
            Summary(enrollment, version), steps, [.. timeline.OrderBy(t => t.At ?? DateTimeOffset.MaxValue)]));
    }

    /// <summary>Per sequence (all versions) and step: enrolled, sent, skipped, cancelled, recovered, revenue.</summary>
    public static async Task<Ok<List<SequenceStats>>> StatsAsync(WorkflowsDbContext db, CancellationToken ct)
    {
        var enrolled = await db.Enrollments.GroupBy(e => e.SequenceKey)
            .Select(g => new { Key = g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var steps = await (
            from s in db.ScheduledSteps
            join e in db.Enrollments on s.EnrollmentId equals e.Id
            group s by new { e.SequenceKey, s.StepNumber, s.State } into g
            select new { g.Key.SequenceKey, g.Key.StepNumber, g.Key.State, Count = g.Count() }).ToListAsync(ct);
        var recoveries = await db.Recoveries.GroupBy(r => new { r.SequenceKey, r.StepNumber })
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
                    recovered.Sum(r => r.Count), recovered.Sum(r => r.Revenue));
            }).ToList();
            return new SequenceStats(key, enrolled.GetValueOrDefault(key), perStep.Sum(s => s.Sent),
                perStep.Sum(s => s.Recovered), perStep.Sum(s => s.Revenue), perStep);
        }).ToList();
        return TypedResults.Ok(result);
    }

    private static EnrollmentSummary Summary(Enrollment e, int version) => new(
        e.Id, e.StoreId, e.SequenceKey, version, e.Trigger, e.SubjectKey, e.ShopperEmail, e.State, e.EndReason,
        e.SessionState, e.EnrolledAt, e.EndedAt);
}
