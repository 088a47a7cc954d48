using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using FlexyPe.Workflows.Assistant;
using FlexyPe.Workflows.Infrastructure;
using FlexyPe.Workflows.Model;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace FlexyPe.Workflows.Variants;

/// <summary>
/// Rolls up each variant test (every step with an approved variant): sends per arm from the steps that recorded it,
/// recoveries and revenue attributed to those steps, then <see cref="VariantTest.Evaluate"/> with a seed fixed by the
/// step and its sends, so the same figures give the same verdict on every node. An arm the rule stops gets no more
/// sends; a stopped arm stays stopped.
/// </summary>
[DisallowConcurrentExecution]
public sealed class VariantStatsJob(WorkflowsDbContext db, VariantTest test, TimeProvider time, ILogger<VariantStatsJob> logger) : IJob
{
    public static readonly JobKey Key = new("variant-stats", "workflows");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => await RollUpAsync(cancellationToken);

    public async Task RollUpAsync(CancellationToken ct)
    {
        var approved = await db.CopyVariants.AsNoTracking()
            .Where(v => v.State == CopyVariantStates.Approved)
            .Select(v => new { v.SequenceKey, v.StepNumber, v.Id, v.DecidedAt })
            .ToListAsync(ct);
        if (approved.Count == 0)
        {
            return;
        }
        var tallies = await db.Database.SqlQuery<Tally>($"""
            SELECT e.sequence_key, s.step_number, s.variant_id, count(*)::bigint AS sends,
                   count(r.id)::bigint AS recoveries, coalesce(sum(r.revenue), 0) AS revenue
            FROM scheduled_steps s
            JOIN enrollments e ON e.id = s.enrollment_id
            LEFT JOIN recoveries r ON r.enrollment_id = s.enrollment_id AND r.step_number = s.step_number
            WHERE s.variant_id IS NOT NULL AND s.state = 'sent'
            GROUP BY e.sequence_key, s.step_number, s.variant_id
            """).ToListAsync(ct);
        var existing = await db.VariantStats.ToListAsync(ct);
        var now = time.GetUtcNow();

        foreach (var step in approved.GroupBy(v => (v.SequenceKey, v.StepNumber)))
        {
            // The step's own copy is an arm beside its approved variants.
            var armIds = step.OrderBy(v => v.DecidedAt).Select(v => v.Id).Prepend(StepCopyVariant.OwnCopy).ToList();
            var rows = armIds.Select(id =>
                existing.FirstOrDefault(x => x.SequenceKey == step.Key.SequenceKey && x.StepNumber == step.Key.StepNumber && x.VariantId == id)
                ?? Add(new StepVariantStats { SequenceKey = step.Key.SequenceKey, StepNumber = step.Key.StepNumber, VariantId = id, State = VariantStates.Active }))
                .ToList();
            var arms = rows.Select(row =>
            {
                var tally = tallies.FirstOrDefault(t => t.SequenceKey == row.SequenceKey && t.StepNumber == row.StepNumber && t.VariantId == row.VariantId);
                return new VariantStats(row.VariantId, tally?.Sends ?? 0, tally?.Recoveries ?? 0, tally?.Revenue ?? 0m, row.State);
            }).ToList();
            var results = test.Evaluate(arms, Seed(step.Key.SequenceKey, step.Key.StepNumber, arms.Sum(a => a.Sends)));
            foreach (var (row, result) in rows.Zip(results))
            {
                if (result.State == VariantStates.Stopped && row.State != VariantStates.Stopped)
                {
                    row.StoppedAt = now;
                    logger.LogInformation("Variant {VariantId} of {Sequence} step {Step} stopped: {Probability:P1} likely to be worse than the best",
                        row.VariantId, row.SequenceKey, row.StepNumber, result.ProbabilityWorse);
                }
                (row.Sends, row.Recoveries, row.Revenue) = (result.Sends, result.Recoveries, result.Revenue);
                (row.ProbabilityBest, row.ProbabilityWorse, row.State, row.UpdatedAt) = (result.ProbabilityBest, result.ProbabilityWorse, result.State, now);
            }
        }
        await db.SaveChangesAsync(ct);
    }

    private StepVariantStats Add(StepVariantStats row)
    {
        db.VariantStats.Add(row);
        return row;
    }

    /// <summary>A seed from the step and its total sends: the same stats give the same draws wherever they are evaluated.</summary>
    private static int Seed(string sequenceKey, int step, long sends)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{sequenceKey}|{step}|{sends}"));
        return BinaryPrimitives.ReadInt32BigEndian(hash);
    }

    private sealed record Tally(string SequenceKey, int StepNumber, Guid VariantId, long Sends, long Recoveries, decimal Revenue);
}
