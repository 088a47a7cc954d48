using FlexyPe.Workflows.Uplift;

namespace FlexyPe.Recovery.UnitTests.Workflows.Uplift;

/// <summary>The holdout: a stable share of each store's subjects is held out, the same answer wherever it is asked.</summary>
public sealed class HoldoutTests
{
    [Theory]
    [InlineData(0.10)]
    [InlineData(0.25)]
    public void Held_out_share_holds_within_one_and_a_half_points_over_10000_subjects(double share)
    {
        var heldOut = Enumerable.Range(0, 10_000).Count(i => Holdout.IsHeldOut("my-store.myshopify.com", $"checkout-{i}", share));

        Assert.InRange(heldOut / 10_000.0, share - 0.015, share + 0.015);
    }

    [Fact]
    public void Same_subject_gets_the_same_answer_every_time()
    {
        var first = Enumerable.Range(0, 2_000).Select(i => Holdout.IsHeldOut("my-store.myshopify.com", $"checkout-{i}", 0.1)).ToList();
        var again = Enumerable.Range(0, 2_000).Select(i => Holdout.IsHeldOut("my-store.myshopify.com", $"checkout-{i}", 0.1)).ToList();

        Assert.Equal(first, again);
    }

    [Fact]
    public void Assignment_is_a_fixed_function_of_store_and_subject_so_every_process_agrees()
    {
        // SHA-256 of "7:holdout|22:my-store.myshopify.com|36:331d47df-8461-495b-9c4f-27ed915d9c8e|", its first 53 bits
        // over 2^53 (computed independently, with Python's hashlib): the same in every process and on every machine,
        // where string.GetHashCode would differ from run to run.
        Assert.Equal(0.2894, Holdout.Position("my-store.myshopify.com", "331d47df-8461-495b-9c4f-27ed915d9c8e"), 4);
        Assert.False(Holdout.IsHeldOut("my-store.myshopify.com", "331d47df-8461-495b-9c4f-27ed915d9c8e", 0.10));
        Assert.True(Holdout.IsHeldOut("my-store.myshopify.com", "331d47df-8461-495b-9c4f-27ed915d9c8e", 0.30));
        Assert.Equal(0.0076, Holdout.Position("my-store.myshopify.com", "checkout-5"), 4);
        Assert.True(Holdout.IsHeldOut("my-store.myshopify.com", "checkout-5", 0.10));
    }

    [Fact]
    public void Zero_share_holds_out_nobody()
        => Assert.DoesNotContain(Enumerable.Range(0, 10_000), i => Holdout.IsHeldOut("my-store.myshopify.com", $"checkout-{i}", 0));

    [Fact]
    public void A_larger_share_keeps_everyone_the_smaller_share_held_out()
    {
        var subjects = Enumerable.Range(0, 5_000).Select(i => $"checkout-{i}").ToList();

        var atTen = subjects.Where(s => Holdout.IsHeldOut("my-store.myshopify.com", s, 0.10)).ToList();

        Assert.All(atTen, s => Assert.True(Holdout.IsHeldOut("my-store.myshopify.com", s, 0.20)));
    }
}
