using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace FlexyPe.Workflows.Variants;

/// <summary>
/// What a variant of a step has done so far: messages sent with it, purchases attributed to those messages and their
/// revenue (the attribution of part 1: the last recovery message within the window). Opens play no part.
/// </summary>
public sealed record VariantStats(Guid VariantId, long Sends, long Recoveries, decimal Revenue, string State = VariantStates.Active)
{
    public decimal RevenuePerSend => Sends == 0 ? 0m : Revenue / Sends;
}

public static class VariantStates
{
    /// <summary>Receives traffic.</summary>
    public const string Active = "active";
    /// <summary>95% likely to be worse than the best by more than the margin: receives no more traffic.</summary>
    public const string Stopped = "stopped";
}

/// <summary>A variant's results as the API shows them.</summary>
/// <param name="ProbabilityBest">How often, over the posterior draws, this variant had the highest revenue per send.</param>
/// <param name="ProbabilityWorse">How often it was worse than the best of the others by more than the margin (the stopping rule's figure).</param>
public sealed record VariantResult(
    Guid VariantId,
    long Sends,
    long Recoveries,
    decimal Revenue,
    decimal RevenuePerSend,
    double ProbabilityBest,
    double ProbabilityWorse,
    string State);

/// <summary>Checks the <see cref="VariantTestOptions"/> attributes at start-up (source-generated).</summary>
[OptionsValidator]
public sealed partial class VariantTestOptionsValidator : IValidateOptions<VariantTestOptions>;

/// <summary>The variant test's rules (<c>Workflows:Variants:*</c>).</summary>
public sealed class VariantTestOptions
{
    public const string Section = "Workflows:Variants";

    /// <summary>Stop a variant when it is at least this likely to be worse than the best…</summary>
    [Range(0.5, 0.9999)]
    public double StopProbability { get; set; } = 0.95;
    /// <summary>…by more than this fraction of the best's revenue per send (Braze's rule: 95%, 1%).</summary>
    [Range(0.0, 0.5)]
    public double StopMargin { get; set; } = 0.01;
    /// <summary>No variant is stopped before it has been sent this many times, whatever the posterior says.</summary>
    [Range(0, long.MaxValue)]
    public long MinimumSendsBeforeStopping { get; set; } = 200;
    /// <summary>Monte Carlo draws per evaluation.</summary>
    [Range(1_000, 1_000_000)]
    public int Draws { get; set; } = 10_000;
    /// <summary>How often the variant tests' figures are rolled up and the stopping rule applied.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan RollUpInterval { get; set; } = TimeSpan.FromMinutes(5);
}
