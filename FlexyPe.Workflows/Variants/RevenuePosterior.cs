using MathNet.Numerics.Distributions;

namespace FlexyPe.Workflows.Variants;

/// <summary>
/// The posterior of a variant's revenue per send, as the product of two conjugate parts:
/// <list type="bullet">
/// <item>whether a send recovers a purchase: Bernoulli with p ~ Beta(1 + recoveries, 1 + sends − recoveries);</item>
/// <item>what a recovered order is worth: Exponential with rate λ ~ Gamma(2 + recoveries, m + revenue), so the mean
/// order value 1/λ has prior mean m, the mean order value pooled over the step's variants.</item>
/// </list>
/// Revenue per send = p × 1/λ. Why not a Normal posterior on revenue per send: recovery rates are a few percent, so
/// almost every send is worth exactly 0 and a few are worth hundreds; a Normal on that is badly calibrated until there
/// are many recoveries, which is exactly when the test should already be deciding. The split model needs only the
/// three counts we keep (sends, recoveries, revenue), stays proper with no recoveries at all, and lets a variant win
/// by converting more or by recovering larger carts. The Exponential's single parameter is the price of that
/// simplicity: it assumes order values spread like their mean, which is close for carts and errs on the side of caution.
/// </summary>
public readonly record struct RevenuePosterior(double RecoveryAlpha, double RecoveryBeta, double ValueShape, double ValueRate)
{
    private const double PriorValueShape = 2;

    public static RevenuePosterior From(VariantStats stats, double priorMeanOrderValue)
    {
        var sends = Math.Max(0, stats.Sends);
        var recoveries = Math.Clamp(stats.Recoveries, 0, sends);
        // With shape 2 the prior mean of 1/λ is rate / (shape − 1) = the pooled mean order value.
        return new RevenuePosterior(
            1 + recoveries,
            1 + sends - recoveries,
            PriorValueShape + recoveries,
            priorMeanOrderValue * (PriorValueShape - 1) + (double)Math.Max(0m, stats.Revenue));
    }

    /// <summary>One draw of revenue per send.</summary>
    public double Sample(Random random)
        => Beta.Sample(random, RecoveryAlpha, RecoveryBeta) / Gamma.Sample(random, ValueShape, ValueRate);

    /// <summary>The mean order value of all the variants together, the prior's centre (1 when nothing was recovered yet: the scale then does not matter).</summary>
    public static double PooledMeanOrderValue(IEnumerable<VariantStats> arms)
    {
        long recoveries = 0;
        decimal revenue = 0;
        foreach (var arm in arms)
        {
            recoveries += arm.Recoveries;
            revenue += arm.Revenue;
        }
        return recoveries > 0 && revenue > 0 ? (double)(revenue / recoveries) : 1.0;
    }
}
