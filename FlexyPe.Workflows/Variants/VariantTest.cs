using FlexyPe.Workflows.Assistant;
using Microsoft.Extensions.Options;

namespace FlexyPe.Workflows.Variants;

/// <summary>
/// A test between a step's approved variants that picks the winner on attributed revenue per send.
/// <see cref="Choose"/> assigns one send by Thompson sampling; <see cref="Evaluate"/> estimates, by Monte Carlo over
/// the posteriors, each variant's chance of being best and stops the ones that are 95% likely to be worse than the
/// best by more than 1% (Braze's rule). Call it only for enrollments in the treated group: the holdout receives no
/// message, so it never reaches a variant, and its share is decided before this is asked.
/// </summary>
public sealed class VariantTest(IOptions<VariantTestOptions> options)
{
    /// <summary>The variants that may take part: approved ones only, whatever else the step has.</summary>
    public static IReadOnlyList<VariantStats> Arms(IEnumerable<CopyVariant> variants, IReadOnlyDictionary<Guid, VariantStats> stats)
        => [.. variants
            .Where(v => v.State == CopyVariantStates.Approved)
            .Select(v => stats.GetValueOrDefault(v.Id) ?? new VariantStats(v.Id, 0, 0, 0m))];

    /// <summary>
    /// The variant for the next send: one posterior draw per active variant, the highest wins. Null when no variant
    /// is active (the step sends its own copy).
    /// </summary>
    public Guid? Choose(IReadOnlyList<VariantStats> arms, Random random)
    {
        var prior = RevenuePosterior.PooledMeanOrderValue(arms);
        Guid? best = null;
        var bestDraw = double.NegativeInfinity;
        foreach (var arm in arms.Where(a => a.State == VariantStates.Active))
        {
            var draw = RevenuePosterior.From(arm, prior).Sample(random);
            if (draw > bestDraw)
            {
                (best, bestDraw) = (arm.VariantId, draw);
            }
        }
        return best;
    }

    /// <summary>
    /// Results per variant, with the stopping rule applied to the active ones. <paramref name="seed"/> fixes the draws:
    /// the same stats and seed give the same figures (derive it from the stats to make results reproducible).
    /// </summary>
    public IReadOnlyList<VariantResult> Evaluate(IReadOnlyList<VariantStats> arms, int seed)
    {
        var settings = options.Value;
        if (arms.Count == 0)
        {
            return [];
        }
        var random = new Random(seed);
        var prior = RevenuePosterior.PooledMeanOrderValue(arms);
        var posteriors = arms.Select(a => RevenuePosterior.From(a, prior)).ToArray();
        var best = new int[arms.Count];
        var worse = new int[arms.Count];
        var draw = new double[arms.Count];
        var keep = 1 - settings.StopMargin;
        for (var d = 0; d < settings.Draws; d++)
        {
            for (var i = 0; i < arms.Count; i++)
            {
                draw[i] = posteriors[i].Sample(random);
            }
            // The two highest draws are enough: each arm's best competitor is the top one, or the runner-up for the top itself.
            int top = 0, second = -1;
            for (var i = 1; i < arms.Count; i++)
            {
                if (draw[i] > draw[top])
                {
                    (second, top) = (top, i);
                }
                else if (second < 0 || draw[i] > draw[second])
                {
                    second = i;
                }
            }
            best[top]++;
            for (var i = 0; i < arms.Count; i++)
            {
                var competitor = i == top ? second : top;
                if (competitor >= 0 && draw[i] < keep * draw[competitor])
                {
                    worse[i]++;
                }
            }
        }

        var results = new VariantResult[arms.Count];
        for (var i = 0; i < arms.Count; i++)
        {
            var arm = arms[i];
            var probabilityWorse = (double)worse[i] / settings.Draws;
            var stop = arm.State == VariantStates.Active
                && arm.Sends >= settings.MinimumSendsBeforeStopping
                && probabilityWorse >= settings.StopProbability;
            results[i] = new VariantResult(
                arm.VariantId, arm.Sends, arm.Recoveries, arm.Revenue, arm.RevenuePerSend,
                (double)best[i] / settings.Draws, probabilityWorse,
                stop ? VariantStates.Stopped : arm.State);
        }
        // In every draw the top variant is not worse than the others, so the rule cannot stop them all; kept explicit
        // because a test must always end with a winner.
        if (results.All(r => r.State == VariantStates.Stopped))
        {
            var winner = Array.IndexOf(results, results.MaxBy(r => r.ProbabilityBest));
            results[winner] = results[winner] with { State = VariantStates.Active };
        }
        return results;
    }
}
