using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace FlexyPe.Workflows.Uplift;

/// <summary>
/// The holdout, the discount exploration and the uplift model (<c>Workflows:Uplift:*</c>): the defaults a store's own
/// settings override, the data thresholds, and when the models are retrained.
/// </summary>
public sealed class UpliftOptions
{
    /// <summary>Enrollments held out of every message, per store (0 turns the holdout off).</summary>
    [Range(0.0, 1.0)]
    public double HoldoutShare { get; set; } = 0.10;

    /// <summary>Treated enrollments given a step's discount at random, and the same share denied it at random.</summary>
    [Range(0.0, 0.5)]
    public double ExplorationShare { get; set; } = 0.10;

    /// <summary>The share of an order's value a store keeps (1: weigh revenue).</summary>
    [Range(0.0001, 1.0)]
    public double MarginKept { get; set; } = 1.0;

    /// <summary>The most of a store's model decisions that may offer the discount (1: no cap).</summary>
    [Range(0.0, 1.0)]
    public double OfferCap { get; set; } = 1.0;

    /// <summary>The window over which the offer cap counts a store's model decisions.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan OfferCapWindow { get; set; } = TimeSpan.FromDays(7);

    [ValidateObjectMembers]
    public UpliftThresholdOptions Thresholds { get; set; } = new();

    /// <summary>When the retraining job runs, a Quartz cron expression in UTC (default 03:00 every day).</summary>
    [Required]
    public string RetrainSchedule { get; set; } = "0 0 3 * * ?";

    /// <summary>The most finished enrollments of the randomized arms one training reads (the newest).</summary>
    [Range(100, 10_000_000)]
    public int MaxTrainingEnrollments { get; set; } = 500_000;

    public static bool HasValidSchedule(UpliftOptions options) => Quartz.CronExpression.TryParse(options.RetrainSchedule, out _);
}

/// <summary>How much a store's data must show before its model decides (<see cref="UpliftThresholds"/>).</summary>
public sealed class UpliftThresholdOptions
{
    [Range(0, int.MaxValue)]
    public int MinFinishedEnrollments { get; set; } = 1_000;

    [Range(0, int.MaxValue)]
    public int MinRecoveriesPerArm { get; set; } = 100;

    [Range(0.0, 1.0)]
    public double MinHeldOutAuc { get; set; } = 0.65;

    public UpliftThresholds ToThresholds() => new()
    {
        MinFinishedEnrollments = MinFinishedEnrollments,
        MinRecoveriesPerArm = MinRecoveriesPerArm,
        MinHeldOutAuc = MinHeldOutAuc,
    };
}
