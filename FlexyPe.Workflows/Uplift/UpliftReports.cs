namespace FlexyPe.Workflows.Uplift;

/// <summary>One finished enrollment, for the holdout report: held out or treated, recovered or not, and what it brought.</summary>
public sealed record EnrollmentOutcome(string SequenceKey, bool HeldOut, bool Recovered, decimal Revenue);

/// <summary>A group of enrollments: how many, how many came back, and the revenue per abandonment (recovered or not).</summary>
public sealed record GroupOutcome(int Enrollments, int Recoveries, double RecoveryRate, double RevenuePerAbandonment);

/// <summary>A difference between two groups with its 95% interval; the interval is null when a group has fewer than two enrollments.</summary>
public sealed record Difference(double Estimate, double? Low, double? High);

/// <summary>Treated against held out, for one sequence or (<see cref="SequenceKey"/> null) for all of them.</summary>
public sealed record HoldoutComparison(
    string? SequenceKey, GroupOutcome Treated, GroupOutcome HeldOut, Difference? RecoveryRate, Difference? RevenuePerAbandonment);

/// <summary>
/// What the messages add, measured against the held-out enrollments: recovery rate and revenue per abandonment of the
/// treated minus the held out, with 95% intervals by the normal approximation (the rate: unpooled standard error of two
/// proportions; the revenue: Welch's standard error of two means with unequal variances).
/// </summary>
public static class HoldoutReport
{
    private const double Z95 = 1.959963984540054;

    /// <summary>All sequences together first, then each sequence (ordinal order of the key).</summary>
    public static IReadOnlyList<HoldoutComparison> Compare(IEnumerable<EnrollmentOutcome> outcomes)
    {
        var rows = outcomes.ToList();
        return
        [
            Comparison(null, rows),
            .. rows.GroupBy(r => r.SequenceKey).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => Comparison(g.Key, [.. g])),
        ];
    }

    private static HoldoutComparison Comparison(string? sequenceKey, List<EnrollmentOutcome> rows)
    {
        var treated = rows.Where(r => !r.HeldOut).ToList();
        var heldOut = rows.Where(r => r.HeldOut).ToList();
        var t = Group(treated);
        var h = Group(heldOut);
        return new HoldoutComparison(sequenceKey, t, h,
            RateDifference(t, h),
            MeanDifference([.. treated.Select(r => (double)r.Revenue)], [.. heldOut.Select(r => (double)r.Revenue)]));
    }

    private static GroupOutcome Group(List<EnrollmentOutcome> rows)
    {
        var recoveries = rows.Count(r => r.Recovered);
        return new GroupOutcome(rows.Count, recoveries,
            rows.Count == 0 ? 0 : recoveries / (double)rows.Count,
            rows.Count == 0 ? 0 : rows.Sum(r => (double)r.Revenue) / rows.Count);
    }

    /// <summary>p₁ − p₂ ± 1.96 √(p₁(1−p₁)/n₁ + p₂(1−p₂)/n₂); null when a group is empty.</summary>
    public static Difference? RateDifference(GroupOutcome a, GroupOutcome b)
    {
        if (a.Enrollments == 0 || b.Enrollments == 0)
        {
            return null;
        }
        var estimate = a.RecoveryRate - b.RecoveryRate;
        if (a.Enrollments < 2 || b.Enrollments < 2)
        {
            return new Difference(estimate, null, null);
        }
        var se = Math.Sqrt(a.RecoveryRate * (1 - a.RecoveryRate) / a.Enrollments + b.RecoveryRate * (1 - b.RecoveryRate) / b.Enrollments);
        return new Difference(estimate, estimate - Z95 * se, estimate + Z95 * se);
    }

    /// <summary>mean₁ − mean₂ ± 1.96 √(s₁²/n₁ + s₂²/n₂) (sample variances); null when a group is empty.</summary>
    public static Difference? MeanDifference(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count == 0 || b.Count == 0)
        {
            return null;
        }
        var estimate = a.Average() - b.Average();
        if (a.Count < 2 || b.Count < 2)
        {
            return new Difference(estimate, null, null);
        }
        var se = Math.Sqrt(Variance(a) / a.Count + Variance(b) / b.Count);
        return new Difference(estimate, estimate - Z95 * se, estimate + Z95 * se);
    }

    private static double Variance(IReadOnlyList<double> values)
    {
        var mean = values.Average();
        return values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1);
    }
}

/// <summary>One discount decision and what followed: the row the discount report reads.</summary>
/// <param name="CartValue">The order's value before the discount.</param>
/// <param name="Revenue">What the recovered order brought, after any discount (0 when not recovered).</param>
public sealed record DiscountOutcome(
    DateTimeOffset DecidedAt,
    string? Arm,
    DiscountDecision Decision,
    decimal CartValue,
    decimal DiscountCost,
    bool Recovered,
    decimal Revenue);

public enum ReportPeriod { Day, Week, Month }

/// <summary>
/// Discounts in one period. <see cref="RevenueKeptEstimated"/> is what the model expects the discounts it withheld to
/// have kept: Σ p_without × value − p_with × (value − discount) over its withholding decisions.
/// <see cref="RevenueKeptPerWithheldObserved"/> checks it against the randomized arms: among the enrollments of the
/// arms that the model would have denied, net revenue per enrollment denied at random minus given at random (with a
/// 95% interval); times <see cref="WithheldByModel"/> it is the revenue kept as observed.
/// <see cref="DiscountCostGiven"/> counts the discounts that were used (the order was placed).
/// </summary>
public sealed record DiscountPeriodReport(
    DateOnly PeriodStart,
    int Decisions,
    int Given,
    int GivenByModel,
    int GivenByRule,
    int GivenForExploration,
    int WithheldByModel,
    int WithheldForExploration,
    decimal DiscountCostGiven,
    double RevenueKeptEstimated,
    Difference? RevenueKeptPerWithheldObserved,
    double? RevenueKeptObserved);

/// <summary>
/// Discounts given and withheld, and the revenue the withholding kept, per period (pure: over outcome rows of steps
/// with a discount). Periods start on the local day, Monday or first of the month in <c>zone</c> (default UTC).
/// </summary>
public static class DiscountReport
{
    public static IReadOnlyList<DiscountPeriodReport> PerPeriod(IEnumerable<DiscountOutcome> outcomes, ReportPeriod period, TimeZoneInfo? zone = null)
    {
        zone ??= TimeZoneInfo.Utc;
        return [.. outcomes
            .GroupBy(o => Start(TimeZoneInfo.ConvertTime(o.DecidedAt, zone), period))
            .OrderBy(g => g.Key)
            .Select(g => Period(g.Key, [.. g]))];
    }

    private static DiscountPeriodReport Period(DateOnly start, List<DiscountOutcome> rows)
    {
        var withheldByModel = rows.Where(r => r.Decision is { Source: DecisionSources.Model, Offered: false }).ToList();
        var estimated = withheldByModel
            .Where(r => r.Decision.PWith is not null && r.Decision.PWithout is not null)
            .Sum(r => r.Decision.PWithout!.Value * (double)r.CartValue - r.Decision.PWith!.Value * (double)(r.CartValue - r.DiscountCost));

        // The randomized arms' enrollments the model would have denied: what denying them did, observed.
        var wouldDeny = rows.Where(r => DiscountArms.IsRandomized(r.Arm) && r.Decision.ModelWouldOffer == false).ToList();
        var observed = HoldoutReport.MeanDifference(
            [.. wouldDeny.Where(r => r.Arm == DiscountArms.ExploreWithhold).Select(r => (double)r.Revenue)],
            [.. wouldDeny.Where(r => r.Arm == DiscountArms.ExploreOffer).Select(r => (double)r.Revenue)]);

        var given = rows.Where(r => r.Decision.Offered).ToList();
        return new DiscountPeriodReport(
            start,
            rows.Count,
            given.Count,
            given.Count(r => r.Decision.Source == DecisionSources.Model),
            given.Count(r => r.Decision.Source == DecisionSources.Rule),
            given.Count(r => r.Decision.Source == DecisionSources.Exploration),
            withheldByModel.Count,
            rows.Count(r => r.Decision is { Source: DecisionSources.Exploration, Offered: false }),
            given.Where(r => r.Recovered).Sum(r => r.DiscountCost),
            estimated,
            observed,
            observed is null ? null : observed.Estimate * withheldByModel.Count);
    }

    private static DateOnly Start(DateTimeOffset local, ReportPeriod period)
    {
        var day = DateOnly.FromDateTime(local.DateTime);
        return period switch
        {
            ReportPeriod.Day => day,
            ReportPeriod.Week => day.AddDays(-(((int)day.DayOfWeek + 6) % 7)),
            _ => new DateOnly(day.Year, day.Month, 1),
        };
    }
}
