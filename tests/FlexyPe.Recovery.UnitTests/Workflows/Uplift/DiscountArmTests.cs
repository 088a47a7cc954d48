using FlexyPe.Workflows.Uplift;

namespace FlexyPe.Recovery.UnitTests.Workflows.Uplift;

/// <summary>Exploration: a share of treated enrollments is given the discount at random, the same share denied it.</summary>
public sealed class DiscountArmTests
{
    [Theory]
    [InlineData(0.10)]
    [InlineData(0.25)]
    public void Each_exploration_arm_takes_its_share_and_the_rest_follow_the_policy(double share)
    {
        var draw = new DiscountArmDraw(new Random(42));

        var arms = Enumerable.Range(0, 10_000).Select(_ => draw.Draw(share)).ToList();

        Assert.InRange(arms.Count(a => a == DiscountArms.ExploreOffer) / 10_000.0, share - 0.015, share + 0.015);
        Assert.InRange(arms.Count(a => a == DiscountArms.ExploreWithhold) / 10_000.0, share - 0.015, share + 0.015);
        Assert.InRange(arms.Count(a => a == DiscountArms.Policy) / 10_000.0, 1 - 2 * share - 0.02, 1 - 2 * share + 0.02);
    }

    [Fact]
    public void Same_seed_draws_the_same_arms()
    {
        var first = new DiscountArmDraw(new Random(7));
        var second = new DiscountArmDraw(new Random(7));

        Assert.Equal(Enumerable.Range(0, 1_000).Select(_ => first.Draw(0.1)), Enumerable.Range(0, 1_000).Select(_ => second.Draw(0.1)));
    }

    [Fact]
    public void Zero_share_leaves_everyone_to_the_policy()
    {
        var draw = new DiscountArmDraw(new Random(1));

        Assert.All(Enumerable.Range(0, 1_000).Select(_ => draw.Draw(0)), arm => Assert.Equal(DiscountArms.Policy, arm));
    }

    [Fact]
    public void Recorded_arm_values_are_the_documented_strings()
        => Assert.Equal(["explore_offer", "explore_withhold", "policy"], DiscountArms.All);
}
