using FlexyPe.Workflows.Infrastructure;
using FlexyPe.Workflows.Model;
using FlexyPe.Workflows.Stores;
using FlexyPe.Workflows.Uplift;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace FlexyPe.Workflows.Apis;

/// <summary>A trained model as the API shows it (no bytes).</summary>
public sealed record UpliftModelView(
    int Version, DateTimeOffset TrainedAt, string RequestedBy, int TrainingSize, int HeldOutSize, int FinishedEnrollments,
    int RecoveriesWithDiscount, int RecoveriesWithoutDiscount, double? HeldOutAuc, double? Qini, string? PromotionReason);

/// <summary>One training: whether it trained a model, whether that became current, and why (or why nothing was trained).</summary>
public sealed record UpliftTrainingView(
    int Version, DateTimeOffset TrainedAt, string RequestedBy, string? TrainedBy, bool Trained, bool Promoted, string? Reason,
    int Examples, int DroppedNonFinite, int FinishedEnrollments, double? HeldOutAuc);

public sealed record UpliftThresholdsView(int MinFinishedEnrollments, int MinRecoveriesPerArm, double MinHeldOutAuc);

/// <summary>Whether the store's model decides its discounts and, when it does not, why the steps' rules stand.</summary>
public sealed record UpliftStatusView(
    string StoreId, bool MayDecide, string? WhyNot, UpliftModelView? Current, UpliftTrainingView? LastTraining,
    UpliftSettingsView Settings, UpliftThresholdsView Thresholds);

public sealed record RetrainAccepted(string StoreId, string RequestedBy, string Status);

public sealed record HoldoutReportView(
    string StoreId, double HoldoutShare, DateTimeOffset? From, DateTimeOffset? To, IReadOnlyList<HoldoutComparison> Comparisons);

public sealed record DiscountReportView(string StoreId, string Period, string TimeZone, IReadOnlyList<DiscountPeriodReport> Periods);

/// <summary>The filters of the reports: enrollments begun (holdout) or decisions made (discounts) in [from, to).</summary>
public sealed record ReportQuery(
    [property: FromQuery(Name = "from")] DateTimeOffset? From,
    [property: FromQuery(Name = "to")] DateTimeOffset? To,
    [property: FromQuery(Name = "period")] string? Period);

/// <summary>
/// The holdout and the uplift model of a store (docs/uplift.md): the model's status and why it may not decide, an
/// on-demand retraining, the holdout report and the discount report.
/// </summary>
public static class UpliftApi
{
    public static RouteGroupBuilder MapUpliftApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/stores/{storeId}").RequireAdminApiKey().WithTags("Uplift");
        api.MapGet("/uplift", StatusAsync).WithSummary("The store's uplift model, whether it decides the discounts and, if not, why.");
        api.MapPost("/uplift/retrain", RetrainAsync).WithSummary("Retrains the store's uplift model now, on one node of the cluster.");
        api.MapGet("/reports/holdout", HoldoutAsync).WithSummary("Recovery rate and revenue per abandonment, treated against held out, with 95% intervals.");
        api.MapGet("/reports/discounts", DiscountsAsync).WithSummary("Discounts given and withheld per period, and the revenue kept.");
        return api;
    }

    public static async Task<Results<Ok<UpliftStatusView>, ProblemHttpResult>> StatusAsync(
        string storeId, WorkflowsDbContext db, StoreSettingsCatalog stores, CancellationToken ct)
    {
        if (!await db.Stores.AnyAsync(s => s.StoreId == storeId, ct))
        {
            return StoresApi.UnknownStore(storeId);
        }
        var settings = (await stores.ForStoreAsync(storeId, ct)).Uplift;
        // The current model and the last training from one snapshot: a training committing between two reads would
        // show a promoted last training beside no current model.
        await using var snapshot = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var current = await db.UpliftModels.AsNoTracking().FirstOrDefaultAsync(m => m.StoreId == storeId && m.IsCurrent, ct);
        var last = await db.UpliftModels.AsNoTracking().Where(m => m.StoreId == storeId).OrderByDescending(m => m.Version)
            .Select(m => new UpliftTrainingView(m.Version, m.TrainedAt, m.RequestedBy, m.TrainedBy, m.Bytes != null, m.IsCurrent,
                m.TrainingOutcome ?? m.PromotionReason, m.Examples, m.DroppedNonFinite, m.FinishedEnrollments, m.HeldOutAuc))
            .FirstOrDefaultAsync(ct);

        // The same reasons, in the same order, as DiscountDecider gives a step whose rule stands.
        string? whyNot;
        if (settings.Problem() is { } problem)
        {
            whyNot = $"the store's uplift settings are not usable: {problem}";
        }
        else if (current is null)
        {
            whyNot = "no model trained for this store yet"
                + (last is { Trained: false } ? $"; the last training (v{last.Version}) trained none: {last.Reason}" : "");
        }
        else
        {
            var model = UpliftModel.TryLoad(current.Bytes, out var loadProblem);
            whyNot = model is null
                ? $"the current model v{current.Version} cannot be used: {loadProblem}"
                : ModelReadiness.WhyNotReady(model.Info, settings.Thresholds);
        }
        var thresholds = settings.Thresholds;
        return TypedResults.Ok(new UpliftStatusView(
            storeId, whyNot is null, whyNot,
            current is null ? null : new UpliftModelView(current.Version, current.TrainedAt, current.RequestedBy, current.TrainingSize,
                current.HeldOutSize, current.FinishedEnrollments, current.RecoveriesWithDiscount, current.RecoveriesWithoutDiscount,
                current.HeldOutAuc, current.Qini, current.PromotionReason),
            last,
            new UpliftSettingsView(settings.HoldoutShare, settings.ExplorationShare, settings.MarginKept, settings.OfferCap),
            new UpliftThresholdsView(thresholds.MinFinishedEnrollments, thresholds.MinRecoveriesPerArm, thresholds.MinHeldOutAuc)));
    }

    /// <summary>Triggers <see cref="UpliftRetrainJob"/> for the store; the clustered scheduler runs it once, on one node.</summary>
    public static async Task<Results<Accepted<RetrainAccepted>, ProblemHttpResult>> RetrainAsync(
        string storeId, HttpRequest request, WorkflowsDbContext db, ISchedulerFactory schedulers, CancellationToken ct)
    {
        if (!await db.Stores.AnyAsync(s => s.StoreId == storeId, ct))
        {
            return StoresApi.UnknownStore(storeId);
        }
        var actor = Actor.Of(request);
        var scheduler = await schedulers.GetScheduler(ct);
        await scheduler.TriggerJob(UpliftRetrainJob.Key,
            new JobDataMap { [UpliftRetrainJob.StoreIdKey] = storeId, [UpliftRetrainJob.RequestedByKey] = actor }, ct);
        return TypedResults.Accepted($"/api/stores/{Uri.EscapeDataString(storeId)}/uplift", new RetrainAccepted(storeId, actor, "scheduled"));
    }

    /// <summary>Ended enrollments begun in the period, treated against held out: all sequences, then each.</summary>
    public static async Task<Results<Ok<HoldoutReportView>, ProblemHttpResult>> HoldoutAsync(
        string storeId, [AsParameters] ReportQuery query, WorkflowsDbContext db, StoreSettingsCatalog stores, CancellationToken ct)
    {
        if (!await db.Stores.AnyAsync(s => s.StoreId == storeId, ct))
        {
            return StoresApi.UnknownStore(storeId);
        }
        var (start, end) = Bounds(query);
        var rows = await db.Enrollments.AsNoTracking()
            .Where(e => e.StoreId == storeId && e.State != EnrollmentStates.Active && e.EnrolledAt >= start && e.EnrolledAt < end)
            .Select(e => new { e.SequenceKey, e.HeldOut, Purchased = e.PurchasedAt != null, Revenue = e.PurchaseRevenue ?? 0m })
            .ToListAsync(ct);
        var share = (await stores.ForStoreAsync(storeId, ct)).Uplift.HoldoutShare;
        return TypedResults.Ok(new HoldoutReportView(storeId, share, query.From, query.To,
            HoldoutReport.Compare(rows.Select(r => new EnrollmentOutcome(r.SequenceKey, r.HeldOut, r.Purchased, r.Revenue)))));
    }

    /// <summary>The discount decisions made in the period, per day, week (from Monday) or month in the store's time zone.</summary>
    public static async Task<Results<Ok<DiscountReportView>, ValidationProblem, ProblemHttpResult>> DiscountsAsync(
        string storeId, [AsParameters] ReportQuery query, WorkflowsDbContext db, StoreSettingsCatalog stores, CancellationToken ct)
    {
        if (!Enum.TryParse<ReportPeriod>(query.Period ?? "week", ignoreCase: true, out var period) || !Enum.IsDefined(period)
            || int.TryParse(query.Period, out _))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["period"] = [$"'{query.Period}' is not a period: day, week or month."] });
        }
        if (!await db.Stores.AnyAsync(s => s.StoreId == storeId, ct))
        {
            return StoresApi.UnknownStore(storeId);
        }
        var (start, end) = Bounds(query);
        var rows = await (
            from s in db.ScheduledSteps.AsNoTracking()
            join e in db.Enrollments on s.EnrollmentId equals e.Id
            where e.StoreId == storeId && s.DecisionSource != null && s.FiredAt >= start && s.FiredAt < end
            select new
            {
                s.FiredAt, e.DiscountArm, s.DiscountOffered, s.DecisionSource, s.DecisionReason, s.ModelVersion, s.PWith, s.PWithout,
                s.ModelWouldOffer, s.DecisionCartValue, s.DiscountCost, Purchased = e.PurchasedAt != null, Revenue = e.PurchaseRevenue ?? 0m,
            }).ToListAsync(ct);
        var settings = await stores.ForStoreAsync(storeId, ct);
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(settings.TimeZone, out var found) ? found : TimeZoneInfo.Utc;
        var outcomes = rows.Select(r => new DiscountOutcome(
            r.FiredAt!.Value, r.DiscountArm,
            new DiscountDecision(r.DiscountOffered == true, r.DecisionSource!, r.DecisionReason ?? "", r.ModelVersion, r.PWith, r.PWithout, r.ModelWouldOffer),
            r.DecisionCartValue ?? 0m, r.DiscountCost ?? 0m, r.Purchased, r.Revenue));
        return TypedResults.Ok(new DiscountReportView(storeId, period.ToString().ToLowerInvariant(), zone.Id, DiscountReport.PerPeriod(outcomes, period, zone)));
    }

    private static (DateTimeOffset From, DateTimeOffset To) Bounds(ReportQuery query)
        => (query.From?.ToUniversalTime() ?? DateTimeOffset.MinValue.ToUniversalTime(), query.To?.ToUniversalTime() ?? DateTimeOffset.MaxValue.ToUniversalTime());
}
