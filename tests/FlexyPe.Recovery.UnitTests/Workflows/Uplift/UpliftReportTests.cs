using FlexyPe.Workflows.Uplift;

namespace FlexyPe.Recovery.UnitTests.Workflows.Uplift;

/// <summary>The report numbers, over outcome rows: what the messages add against the holdout, and what the discounts cost and kept.</summary>
public sealed class UpliftReportTests
{
    private static IEnumerable<EnrollmentOutcome> Rows(string sequence, bool heldOut, int count, int recovered, decimal revenue)
        => Enumerable.Range(0, count).Select(i => new EnrollmentOutcome(sequence, heldOut, i < recovered, i < recovered ? revenue : 0));

    [Fact]
    public void Holdout_report_gives_the_recovery_rate_difference_with_its_95_percent_interval()
    {
        // Treated 30 of 100, held out 20 of 100: 0.10 ± 1.96 × √(0.3·0.7/100 + 0.2·0.8/100) = 0.10 ± 0.1192.
        var rows = Rows("abandoned-checkout", false, 100, 30, 1000).Concat(Rows("abandoned-checkout", true, 100, 20, 1000));

        var overall = HoldoutReport.Compare(rows)[0];

        Assert.Null(overall.SequenceKey);
        Assert.Equal(new GroupOutcome(100, 30, 0.30, 300), overall.Treated);
        Assert.Equal(new GroupOutcome(100, 20, 0.20, 200), overall.HeldOut);
        Assert.Equal(0.10, overall.RecoveryRate!.Estimate, 9);
        Assert.Equal(0.10 - 0.1192, overall.RecoveryRate.Low!.Value, 4);
        Assert.Equal(0.10 + 0.1192, overall.RecoveryRate.High!.Value, 4);
    }

    [Fact]
    public void Revenue_per_abandonment_difference_uses_welchs_standard_error()
    {
        // Treated: 30 of 100 at 1000 → mean 300, s² = 100·0.3·0.7·1000²/99; held out: 20 of 100 → mean 200, s² = 100·0.2·0.8·1000²/99.
        var rows = Rows("abandoned-checkout", false, 100, 30, 1000).Concat(Rows("abandoned-checkout", true, 100, 20, 1000));
        var se = Math.Sqrt((100 * 0.21 * 1e6 / 99 + 100 * 0.16 * 1e6 / 99) / 100);

        var revenue = HoldoutReport.Compare(rows)[0].RevenuePerAbandonment!;

        Assert.Equal(100, revenue.Estimate, 9);
        Assert.Equal(100 - 1.959964 * se, revenue.Low!.Value, 3);
        Assert.Equal(100 + 1.959964 * se, revenue.High!.Value, 3);
    }

    [Fact]
    public void Holdout_report_covers_all_sequences_then_each_one()
    {
        var rows = Rows("abandoned-session", false, 10, 2, 500).Concat(Rows("abandoned-session", true, 10, 1, 500))
            .Concat(Rows("abandoned-checkout", false, 40, 20, 1000)).Concat(Rows("abandoned-checkout", true, 5, 1, 1000));

        var report = HoldoutReport.Compare(rows);

        Assert.Equal([null, "abandoned-checkout", "abandoned-session"], report.Select(r => r.SequenceKey));
        Assert.Equal(50, report[0].Treated.Enrollments);
        Assert.Equal(22, report[0].Treated.Recoveries);
        Assert.Equal(0.5 - 0.2, report[1].RecoveryRate!.Estimate, 9);
    }

    [Fact]
    public void Sequence_without_held_out_enrollments_has_no_difference()
    {
        var report = HoldoutReport.Compare(Rows("welcome", false, 10, 3, 100));

        Assert.Null(report[1].RecoveryRate);
        Assert.Null(report[1].RevenuePerAbandonment);
        Assert.Equal(0, report[1].HeldOut.Enrollments);
    }

    [Fact]
    public void Discount_report_counts_given_and_withheld_and_estimates_the_revenue_kept_per_period()
    {
        var monday = new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
        DiscountOutcome Row(int day, string arm, DiscountDecision decision, bool recovered, decimal revenue)
            => new(monday.AddDays(day), arm, decision, CartValue: 1000, DiscountCost: 100, recovered, revenue);
        var withheld = new DiscountDecision(false, DecisionSources.Model, "m", 3, PWith: 0.8, PWithout: 0.7, ModelWouldOffer: false);
        var offered = new DiscountDecision(true, DecisionSources.Model, "m", 3, PWith: 0.6, PWithout: 0.1, ModelWouldOffer: true);
        var rows = new[]
        {
            Row(0, DiscountArms.Policy, withheld, true, 1000),
            Row(1, DiscountArms.Policy, withheld, false, 0),
            Row(2, DiscountArms.Policy, offered, true, 900),
            // Randomized, and the model would have denied both: the withheld one still bought at full price.
            Row(3, DiscountArms.ExploreWithhold, withheld with { Source = DecisionSources.Exploration }, true, 1000),
            Row(3, DiscountArms.ExploreWithhold, withheld with { Source = DecisionSources.Exploration }, true, 1000),
            Row(4, DiscountArms.ExploreOffer, withheld with { Source = DecisionSources.Exploration, Offered = true }, true, 900),
            Row(4, DiscountArms.ExploreOffer, withheld with { Source = DecisionSources.Exploration, Offered = true }, false, 0),
            Row(7, DiscountArms.Policy, new DiscountDecision(true, DecisionSources.Rule, "no model"), true, 900),
        };

        var weeks = DiscountReport.PerPeriod(rows, ReportPeriod.Week);

        Assert.Equal([new DateOnly(2026, 11, 23), new DateOnly(2026, 11, 30)], weeks.Select(w => w.PeriodStart));
        var first = weeks[0];
        Assert.Equal(7, first.Decisions);
        Assert.Equal(3, first.Given);
        Assert.Equal(1, first.GivenByModel);
        Assert.Equal(2, first.GivenForExploration);
        Assert.Equal(2, first.WithheldByModel);
        Assert.Equal(2, first.WithheldForExploration);
        Assert.Equal(200, first.DiscountCostGiven);                   // two discounts used (the model's and one random)
        Assert.Equal(2 * (0.7 * 1000 - 0.8 * 900), first.RevenueKeptEstimated, 9);   // -40: the model expects to lose a little
        Assert.Equal(1000 - 450, first.RevenueKeptPerWithheldObserved!.Estimate, 9); // denied: 1000 each; given: 900 and 0
        Assert.Equal(2 * 550, first.RevenueKeptObserved!.Value, 9);
        Assert.Equal(1, weeks[1].GivenByRule);
    }
}
