namespace FlexyPe.Workflows.Uplift;

/// <summary>
/// The discount arm recorded on a treated enrollment whose sequence has a discount step. The two exploration arms
/// are randomized, so they are what the uplift model learns from and what checks its estimates.
/// </summary>
public static class DiscountArms
{
    /// <summary>Given the discount at random, whatever the model or the step's rule would say.</summary>
    public const string ExploreOffer = "explore_offer";
    /// <summary>Denied the discount at random, whatever the model or the step's rule would say.</summary>
    public const string ExploreWithhold = "explore_withhold";
    /// <summary>Decided by the store's model when it is ready, else by the step's own rule.</summary>
    public const string Policy = "policy";

    public static readonly string[] All = [ExploreOffer, ExploreWithhold, Policy];

    public static bool IsRandomized(string? arm) => arm is ExploreOffer or ExploreWithhold;
}

/// <summary>
/// Draws a discount arm: <see cref="DiscountArms.ExploreOffer"/> with the exploration share,
/// <see cref="DiscountArms.ExploreWithhold"/> with the same share, else <see cref="DiscountArms.Policy"/>. Random
/// (not a hash), so the arm is independent of everything the model sees; the source is injected so tests can seed it.
/// Not thread-safe, like <see cref="Random"/>: one per caller.
/// </summary>
public sealed class DiscountArmDraw(Random random)
{
    public string Draw(double explorationShare)
    {
        var share = double.IsNaN(explorationShare) ? 0 : Math.Clamp(explorationShare, 0, 0.5);
        var draw = random.NextDouble();
        return draw < share ? DiscountArms.ExploreOffer
            : draw < 2 * share ? DiscountArms.ExploreWithhold
            : DiscountArms.Policy;
    }
}
