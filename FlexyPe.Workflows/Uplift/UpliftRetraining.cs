using System.Diagnostics;
using FlexyPe.Workflows.Infrastructure;
using FlexyPe.Workflows.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Quartz;

namespace FlexyPe.Workflows.Uplift;

/// <summary>
/// Retrains a store's uplift model from its finished enrollments of the randomized arms and keeps the result in
/// <c>uplift_models</c>: a model (promoted only if its held-out AUC is at least the current one's, measured on the same
/// held-out enrollments) or the reason there is none. Whatever the data, a row says what happened; nothing throws for
/// bad input.
/// </summary>
public sealed class UpliftRetraining(
    WorkflowsDbContext db, WorkflowClock clock, IOptions<WorkflowsOptions> options, ILogger<UpliftRetraining> logger)
{
    public async Task<UpliftModelVersion> RetrainAsync(
        string storeId, string requestedBy, string? trainedBy, DateTimeOffset? scheduledFireTime, CancellationToken ct)
    {
        using var activity = UpliftTelemetry.Source.StartActivity("workflows.uplift.retrain");
        activity?.SetTag("flexype.store.id", storeId);
        activity?.SetTag("flexype.uplift.requested_by", requestedBy == "schedule" ? "schedule" : "person");
        db.ChangeTracker.Clear();

        var examples = await ExamplesAsync(storeId, ct);
        var finished = await db.Enrollments.CountAsync(e => e.StoreId == storeId && e.State != EnrollmentStates.Active, ct);
        var currentRow = await db.UpliftModels.AsNoTracking().FirstOrDefaultAsync(m => m.StoreId == storeId && m.IsCurrent, ct);

        // Versions count the store's trainings; one at a time per store, so two nodes never take the same number.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock(hashtextextended({"uplift:" + storeId}, 0))", ct);
        var version = (await db.UpliftModels.Where(m => m.StoreId == storeId).MaxAsync(m => (int?)m.Version, ct) ?? 0) + 1;
        var now = clock.Now;

        var started = Stopwatch.GetTimestamp();
        // FastTree is CPU-bound for seconds on a large store: off the caller's thread.
        var result = await Task.Run(() => UpliftTrainer.Train(new UpliftTrainingSet(storeId, examples, finished), version, now), ct);
        var row = new UpliftModelVersion
        {
            StoreId = storeId, Version = version, TrainedAt = now, RequestedBy = requestedBy, TrainedBy = trainedBy,
            ScheduledFireTime = scheduledFireTime, Examples = examples.Count, DroppedNonFinite = result.DroppedNonFinite,
            FinishedEnrollments = finished, TrainingSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds,
        };
        if (result.Model is not { } model)
        {
            row.TrainingOutcome = result.Reason;
        }
        else
        {
            var info = model.Info;
            var current = currentRow is null ? null : UpliftModel.TryLoad(currentRow.Bytes, out _);
            // Where the current model loads, it is measured on the new model's held-out enrollments; else its recorded AUC is the bar.
            var currentAuc = current is null ? (double?)null : UpliftTrainer.HeldOutAuc(current, result.HeldOut);
            var promotion = ModelPromotion.Decide(info, current?.Info ?? InfoOf(currentRow), currentAuc);
            row.TrainingSize = info.TrainingSize;
            row.HeldOutSize = info.HeldOutSize;
            row.RecoveriesWithDiscount = info.RecoveriesWithDiscount;
            row.RecoveriesWithoutDiscount = info.RecoveriesWithoutDiscount;
            row.HeldOutAuc = Finite(info.HeldOutAuc);
            row.Qini = Finite(info.Qini);
            row.Bytes = model.ToBytes();
            row.PromotionReason = promotion.Reason;
            row.IsCurrent = promotion.Promote;
            if (promotion.Promote)
            {
                await db.UpliftModels.Where(m => m.StoreId == storeId && m.IsCurrent)
                    .ExecuteUpdateAsync(u => u.SetProperty(m => m.IsCurrent, false), ct);
            }
        }
        db.UpliftModels.Add(row);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);

        activity?.SetTag("flexype.uplift.version", version);
        activity?.SetTag("flexype.uplift.trained", row.Bytes is not null);
        activity?.SetTag("flexype.uplift.promoted", row.IsCurrent);
        logger.LogInformation(
            "Uplift training v{Version} of store {StoreId}: {Outcome} ({Examples} randomized-arm enrollments, {Finished} finished, {Seconds:0.0} s)",
            version, storeId, row.TrainingOutcome ?? row.PromotionReason, examples.Count, finished, row.TrainingSeconds);
        return row;
    }

    /// <summary>The store's finished enrollments of the randomized arms, newest first: features, arm, and whether they led to a purchase.</summary>
    private async Task<List<UpliftExample>> ExamplesAsync(string storeId, CancellationToken ct)
    {
        var rows = await db.Enrollments.AsNoTracking()
            .Where(e => e.StoreId == storeId && e.State != EnrollmentStates.Active && e.Features != null
                && (e.DiscountArm == DiscountArms.ExploreOffer || e.DiscountArm == DiscountArms.ExploreWithhold))
            .OrderByDescending(e => e.EnrolledAt)
            .Take(options.Value.Uplift.MaxTrainingEnrollments)
            .Select(e => new { e.Id, e.Features, e.DiscountArm, Purchased = e.PurchasedAt != null })
            .ToListAsync(ct);
        return [.. rows.Select(r => new UpliftExample(
            r.Id.ToString(), EnrollmentFeatures.Read(r.Features) ?? EnrollmentFeatures.Unreadable, r.DiscountArm == DiscountArms.ExploreOffer, r.Purchased))];
    }

    /// <summary>What the current row records, for when its bytes cannot be loaded (its recorded AUC is then the bar).</summary>
    private static UpliftModelInfo? InfoOf(UpliftModelVersion? row) => row is null ? null : new UpliftModelInfo
    {
        StoreId = row.StoreId, Version = row.Version, TrainedAt = row.TrainedAt, TrainingSize = row.TrainingSize,
        HeldOutSize = row.HeldOutSize, FinishedEnrollments = row.FinishedEnrollments,
        RecoveriesWithDiscount = row.RecoveriesWithDiscount, RecoveriesWithoutDiscount = row.RecoveriesWithoutDiscount,
        HeldOutAuc = row.HeldOutAuc ?? double.NaN, HeldOutAucWithDiscount = double.NaN, HeldOutAucWithoutDiscount = double.NaN,
        Qini = row.Qini ?? double.NaN,
    };

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}

/// <summary>
/// Retrains uplift models on the clustered scheduler: daily (<c>Workflows:Uplift:RetrainSchedule</c>) for every store,
/// and on demand for one (<c>POST /api/stores/{id}/uplift/retrain</c> triggers it with the store's id). Quartz
/// clustering runs each firing on one node; <see cref="DisallowConcurrentExecutionAttribute"/> keeps two from
/// overlapping. Stores are trained one after another.
/// </summary>
[DisallowConcurrentExecution]
public sealed class UpliftRetrainJob(UpliftRetraining retraining, WorkflowsDbContext db, ILogger<UpliftRetrainJob> logger) : IJob
{
    public static readonly JobKey Key = new("uplift-retrain", "workflows");
    public const string StoreIdKey = "store_id";
    public const string RequestedByKey = "requested_by";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var data = context.MergedJobDataMap;
        var storeId = data.TryGetString(StoreIdKey, out var one) ? one : null;
        var requestedBy = data.TryGetString(RequestedByKey, out var who) && who is not null ? who : "schedule";
        var stores = storeId is not null ? [storeId] : await db.Stores.AsNoTracking().OrderBy(s => s.StoreId).Select(s => s.StoreId).ToListAsync(cancellationToken);
        foreach (var store in stores)
        {
            try
            {
                await retraining.RetrainAsync(store, requestedBy, context.Scheduler.SchedulerInstanceId, context.ScheduledFireTimeUtc, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One store's failure (the database, say) does not keep the others from their training.
                logger.LogError(e, "Retraining the uplift model of store {StoreId} failed", store);
            }
        }
    }
}
