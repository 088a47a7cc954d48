using FlexyPe.Workflows.Assistant;
using FlexyPe.Workflows.Variants;
using MathNet.Numerics.Distributions;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace FlexyPe.Recovery.UnitTests.Variants;

/// <summary>Thompson sampling and the stopping rule on simulated sends with a planted difference, seeded end to end.</summary>
public sealed class VariantTestTests(ITestOutputHelper output)
{
    private static readonly Guid Weaker = Guid.Parse("00000000-0000-0000-0000-00000000000a");
    private static readonly Guid Stronger = Guid.Parse("00000000-0000-0000-0000-00000000000b");

    private static VariantTest Test(Action<VariantTestOptions>? change = null)
    {
        var options = new VariantTestOptions();
        change?.Invoke(options);
        return new VariantTest(Options.Create(options));
    }

    /// <summary>
    /// 20,000 sends between two variants: the weaker recovers 3% of shoppers, the stronger 5%, both with orders worth
    /// about ₹1,500 (Gamma, shape 2). Results are evaluated every 1,000 sends, as a periodic job would.
    /// </summary>
    private static (Dictionary<Guid, VariantStats> Stats, Dictionary<Guid, long> StoppedAt) Simulate(int seed)
    {
        var test = Test();
        var assign = new Random(seed);
        var world = new Random(seed + 1);
        var recoveryRate = new Dictionary<Guid, double> { [Weaker] = 0.03, [Stronger] = 0.05 };
        var stats = new Dictionary<Guid, VariantStats> { [Weaker] = new(Weaker, 0, 0, 0m), [Stronger] = new(Stronger, 0, 0, 0m) };
        var stoppedAt = new Dictionary<Guid, long>();
        for (var send = 1; send <= 20_000; send++)
        {
            var chosen = test.Choose([.. stats.Values], assign)!.Value;
            var recovered = world.NextDouble() < recoveryRate[chosen];
            var revenue = recovered ? (decimal)Math.Round(Gamma.Sample(world, 2, 2.0 / 1500), 2) : 0m;
            var s = stats[chosen];
            stats[chosen] = s with { Sends = s.Sends + 1, Recoveries = s.Recoveries + (recovered ? 1 : 0), Revenue = s.Revenue + revenue };
            if (send % 1_000 == 0)
            {
                foreach (var result in test.Evaluate([.. stats.Values], seed: send))
                {
                    if (result.State == VariantStates.Stopped && stats[result.VariantId].State == VariantStates.Active)
                    {
                        stats[result.VariantId] = stats[result.VariantId] with { State = VariantStates.Stopped };
                        stoppedAt[result.VariantId] = send;
                    }
                }
            }
        }
        return (stats, stoppedAt);
    }

    [Fact]
    public void Most_sends_go_to_the_variant_that_earns_more_per_send_and_the_weaker_one_is_stopped()
    {
        var (stats, stoppedAt) = Simulate(seed: 2026);

        var share = (double)stats[Stronger].Sends / 20_000;
        output.WriteLine($"stronger: {stats[Stronger]}; weaker: {stats[Weaker]}; weaker stopped after send {stoppedAt.GetValueOrDefault(Weaker)}");
        Assert.True(share > 0.8, $"the stronger variant got {share:P1} of the sends");
        Assert.Equal(VariantStates.Stopped, stats[Weaker].State);
        Assert.Equal(VariantStates.Active, stats[Stronger].State);
        Assert.Equal([Weaker], stoppedAt.Keys);
    }

    [Fact]
    public void The_same_seed_gives_the_same_assignments_and_decisions()
    {
        var first = Simulate(seed: 7);
        var second = Simulate(seed: 7);

        Assert.Equal(first.Stats.Values.OrderBy(s => s.VariantId), second.Stats.Values.OrderBy(s => s.VariantId));
        Assert.Equal(first.StoppedAt, second.StoppedAt);
    }

    [Fact]
    public void Results_report_revenue_per_send_and_the_chance_of_being_best()
    {
        VariantStats[] arms = [new(Weaker, 4_000, 120, 180_000m), new(Stronger, 4_000, 200, 300_000m)];

        var results = Test().Evaluate(arms, seed: 1);

        var weaker = results.Single(r => r.VariantId == Weaker);
        var stronger = results.Single(r => r.VariantId == Stronger);
        Assert.Equal((4_000, 120, 180_000m, 45m), (weaker.Sends, weaker.Recoveries, weaker.Revenue, weaker.RevenuePerSend));
        Assert.Equal(75m, stronger.RevenuePerSend);
        Assert.True(stronger.ProbabilityBest > 0.99, $"P(best) = {stronger.ProbabilityBest}");
        Assert.Equal(1.0, weaker.ProbabilityBest + stronger.ProbabilityBest, precision: 9);
        Assert.Equal((VariantStates.Stopped, VariantStates.Active), (weaker.State, stronger.State));
    }

    [Fact]
    public void Variants_that_do_equally_well_are_both_kept()
    {
        VariantStats[] arms = [new(Weaker, 5_000, 200, 300_000m), new(Stronger, 5_000, 200, 300_000m)];

        var results = Test().Evaluate(arms, seed: 3);

        Assert.All(results, r => Assert.Equal(VariantStates.Active, r.State));
        Assert.All(results, r => Assert.InRange(r.ProbabilityBest, 0.4, 0.6));
    }

    [Fact]
    public void Revenue_not_recovery_count_decides_the_winner()
    {
        // The first recovers more shoppers, the second recovers fewer but larger carts: more revenue per send.
        VariantStats[] arms = [new(Weaker, 5_000, 250, 250_000m), new(Stronger, 5_000, 180, 360_000m)];

        var results = Test().Evaluate(arms, seed: 5);

        Assert.Equal(Stronger, results.MaxBy(r => r.ProbabilityBest)!.VariantId);
        Assert.Equal(VariantStates.Stopped, results.Single(r => r.VariantId == Weaker).State);
    }

    [Fact]
    public void A_variant_is_not_stopped_before_its_minimum_sends()
    {
        VariantStats[] arms = [new(Weaker, 150, 0, 0m), new(Stronger, 150, 15, 22_500m)];

        var results = Test(o => o.MinimumSendsBeforeStopping = 200).Evaluate(arms, seed: 9);

        Assert.True(results.Single(r => r.VariantId == Weaker).ProbabilityWorse >= 0.95);
        Assert.All(results, r => Assert.Equal(VariantStates.Active, r.State));
    }

    [Fact]
    public void Only_approved_variants_take_part_and_a_stopped_one_gets_no_more_sends()
    {
        var at = DateTimeOffset.UnixEpoch;
        CopyVariant Variant(string subject) => CopyVariant.Propose(new CopyDraft(subject, "p", "o"), at);
        var approved = Variant("approved").Approve("maya", at);
        var stopped = Variant("stopped").Approve("maya", at);
        var proposed = Variant("proposed");
        var rejected = Variant("rejected").Reject("maya", at);
        var stats = new Dictionary<Guid, VariantStats>
        {
            [stopped.Id] = new(stopped.Id, 1_000, 90, 135_000m, VariantStates.Stopped),
            [proposed.Id] = new(proposed.Id, 1_000, 500, 750_000m),
        };

        var arms = VariantTest.Arms([approved, stopped, proposed, rejected], stats);
        var random = new Random(11);
        var chosen = Enumerable.Range(0, 500).Select(_ => Test().Choose(arms, random)).ToHashSet();

        Assert.Equal([approved.Id, stopped.Id], arms.Select(a => a.VariantId));
        Assert.Equal([approved.Id], chosen.Select(c => c!.Value));
    }

    [Fact]
    public void A_step_without_approved_variants_sends_its_own_copy()
        => Assert.Null(Test().Choose([], new Random(1)));
}
