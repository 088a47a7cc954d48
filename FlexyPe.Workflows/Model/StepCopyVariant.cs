namespace FlexyPe.Workflows.Model;

/// <summary>
/// A generated subject / preview text / opening for a step (<c>copy_variants</c>), keyed by the sequence's key so a
/// new version of the sequence keeps its variants. Proposed by the assistant; only a person approves or rejects it,
/// and only approved variants are ever sent.
/// </summary>
public sealed class StepCopyVariant
{
    /// <summary>The arm id the step's own copy takes in a variant test (recorded on the steps that sent it).</summary>
    public static readonly Guid OwnCopy = Guid.Empty;

    public Guid Id { get; set; }
    public required string SequenceKey { get; set; }
    public int StepNumber { get; set; }
    /// <summary>Liquid, plain text, like the step's own.</summary>
    public required string Subject { get; set; }
    public required string PreviewText { get; set; }
    /// <summary>The body's opening sentence (Liquid), which a template shows as <c>{{ opening }}</c>.</summary>
    public required string Opening { get; set; }
    /// <summary>proposed, approved or rejected (<see cref="Assistant.CopyVariantStates"/>).</summary>
    public required string State { get; set; }
    public DateTimeOffset ProposedAt { get; set; }
    /// <summary>The assistant call that wrote it.</summary>
    public Guid? AssistantCallId { get; set; }
    /// <summary>The store whose voice it was written in.</summary>
    public string? StoreId { get; set; }
    public string? DecidedBy { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
}
