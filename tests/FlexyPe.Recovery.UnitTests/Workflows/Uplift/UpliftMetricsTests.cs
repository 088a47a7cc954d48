using FlexyPe.Workflows.Uplift;

namespace FlexyPe.Recovery.UnitTests.Workflows.Uplift;

/// <summary>The held-out measures: AUC of recovery, Qini of the uplift ranking.</summary>
public sealed class UpliftMetricsTests
{
    private static readonly (bool Treated, bool Recovered)[] Enrollments =
    [
        (true, true), (true, true), (true, false), (true, false), (true, false),
        (false, true), (false, false), (false, false), (false, false), (false, false),
    ];

    [Fact]
    public void Auc_is_one_when_every_recovered_enrollment_scores_higher_and_zero_when_every_one_scores_lower()
    {
        bool[] labels = [true, true, false, false, false];

        Assert.Equal(1.0, UpliftMetrics.Auc(labels, [0.9f, 0.8f, 0.3f, 0.2f, 0.1f]), 9);
        Assert.Equal(0.0, UpliftMetrics.Auc(labels, [0.1f, 0.2f, 0.3f, 0.8f, 0.9f]), 9);
        Assert.Equal(5.0 / 6, UpliftMetrics.Auc(labels, [0.9f, 0.3f, 0.8f, 0.2f, 0.1f]), 9);   // 5 of the 6 pairs in order
    }

    [Fact]
    public void Auc_of_one_class_is_not_a_number()
        => Assert.True(double.IsNaN(UpliftMetrics.Auc([true, true], [0.2f, 0.9f])));

    [Fact]
    public void Qini_of_the_perfect_ranking_is_one()
    {
        // Treated recoveries first, control recoveries last.
        var rows = Enumerable.Select(Enrollments, e => (Uplift: e.Recovered ? (e.Treated ? 1.0 : -1.0) : 0.0, e.Treated, e.Recovered)).ToList();

        Assert.Equal(1.0, UpliftMetrics.Qini(rows), 9);
    }

    [Fact]
    public void Qini_of_the_reversed_ranking_is_below_zero()
    {
        var rows = Enumerable.Select(Enrollments, e => (Uplift: e.Recovered ? (e.Treated ? -1.0 : 1.0) : 0.0, e.Treated, e.Recovered)).ToList();

        Assert.True(UpliftMetrics.Qini(rows) < 0);
    }

    [Fact]
    public void Qini_of_a_ranking_that_tells_nothing_is_zero()
    {
        // Every enrollment tied: the curve is the random line.
        var rows = Enumerable.Select(Enrollments, e => (Uplift: 0.5, e.Treated, e.Recovered)).ToList();

        Assert.Equal(0.0, UpliftMetrics.Qini(rows), 9);
    }

    [Fact]
    public void Qini_without_a_control_group_is_zero()
        => Assert.Equal(0.0, UpliftMetrics.Qini([(0.3, true, true), (0.1, true, false)]));
}
