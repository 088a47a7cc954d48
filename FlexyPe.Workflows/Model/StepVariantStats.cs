namespace FlexyPe.Workflows.Model;

/// <summary>
/// What one arm of a step's variant test has done (<c>variant_stats</c>), rolled up from the steps that sent it and
/// the recoveries attributed to them, with the test's verdict (<see cref="Variants.VariantTest.Evaluate"/>). The arm
/// is a <see cref="StepCopyVariant"/> or <see cref="StepCopyVariant.OwnCopy"/>.
/// </summary>
public sealed class StepVariantStats
{
    public required string SequenceKey { get; set; }
    public int StepNumber { get; set; }
    public Guid VariantId { get; set; }
    public long Sends { get; set; }
    public long Recoveries { get; set; }
    public decimal Revenue { get; set; }
    public double ProbabilityBest { get; set; }
    public double ProbabilityWorse { get; set; }
    /// <summary>active or stopped (<see cref="Variants.VariantStates"/>): a stopped arm gets no more sends.</summary>
    public required string State { get; set; }
    public DateTimeOffset? StoppedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
