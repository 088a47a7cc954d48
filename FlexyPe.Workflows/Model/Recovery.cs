namespace FlexyPe.Workflows.Model;

/// <summary>A purchase attributed to the last message sent within the attribution window.</summary>
public sealed class Recovery
{
    public Guid Id { get; set; }
    public required string StoreId { get; set; }
    public required string CheckoutKey { get; set; }
    public Guid EnrollmentId { get; set; }
    public Guid SequenceId { get; set; }
    public required string SequenceKey { get; set; }
    public int StepNumber { get; set; }
    public decimal Revenue { get; set; }
    public DateTimeOffset RecoveredAt { get; set; }
}
