namespace FlexyPe.Workflows.Uplift;

/// <summary>
/// A store's settings for the holdout, the discount exploration and the uplift model's decisions. Every share is a
/// fraction from 0 to 1.
/// </summary>
public sealed record UpliftSettings
{
    /// <summary>Enrollments held out: enrolled and tracked, sent nothing. 0 turns the holdout off.</summary>
    public double HoldoutShare { get; init; } = 0.10;

    /// <summary>
    /// Of treated enrollments in a sequence with a discount step: the share given the discount at random, and the same
    /// share again denied it at random (at most 0.5). These randomized arms are what the model learns from.
    /// </summary>
    public double ExplorationShare { get; init; } = 0.10;

    /// <summary>
    /// The share of an order's value the store keeps (its margin): the model offers a discount when
    /// p_with × (margin × value − discount) &gt; p_without × margin × value. 1 weighs revenue; a store's gross margin
    /// (say 0.4) makes a discount cost more against what it wins.
    /// </summary>
    public double MarginKept { get; init; } = 1.0;

    /// <summary>
    /// The most of the store's model decisions that may offer the discount (0 to 1), for a store that budgets its
    /// discounts. Once reached, further offers are withheld in the order they come, not by their worth, so by default
    /// there is no cap (1): the model already offers only where the discount pays for itself.
    /// </summary>
    public double OfferCap { get; init; } = 1.0;

    public UpliftThresholds Thresholds { get; init; } = new();

    /// <summary>The first setting out of range, in words; null when all are usable.</summary>
    public string? Problem() => this switch
    {
        { HoldoutShare: < 0 or > 1 or double.NaN } => "holdout_share must be between 0 and 1",
        { ExplorationShare: < 0 or > 0.5 or double.NaN } => "exploration_share must be between 0 and 0.5",
        { MarginKept: <= 0 or > 1 or double.NaN } => "margin_kept must be above 0 and at most 1",
        { OfferCap: < 0 or > 1 or double.NaN } => "offer_cap must be between 0 and 1",
        _ => Thresholds.Problem(),
    };
}

/// <summary>How much a store's data must show before its model decides instead of the step's own rule.</summary>
public sealed record UpliftThresholds
{
    /// <summary>Finished enrollments of the store (any arm) when the model was trained.</summary>
    public int MinFinishedEnrollments { get; init; } = 1_000;

    /// <summary>Recoveries in each randomized arm (discount given at random, and denied at random).</summary>
    public int MinRecoveriesPerArm { get; init; } = 100;

    /// <summary>The model's AUC on enrollments it was not trained on.</summary>
    public double MinHeldOutAuc { get; init; } = 0.65;

    public string? Problem() => this switch
    {
        { MinFinishedEnrollments: < 0 } => "min_finished_enrollments must not be negative",
        { MinRecoveriesPerArm: < 0 } => "min_recoveries_per_arm must not be negative",
        { MinHeldOutAuc: < 0 or > 1 or double.NaN } => "min_held_out_auc must be between 0 and 1",
        _ => null,
    };
}
