namespace FlexyPe.Workflows.Model;

/// <summary>
/// The audit of one request to the copy assistant (<c>assistant_calls</c>), whatever came of it: what was asked of
/// which model, what it cost, what it came to. No generated text and nothing about a shopper; the budget is counted
/// from these rows.
/// </summary>
public sealed class AssistantCall
{
    public Guid Id { get; set; }
    public required string StoreId { get; set; }
    public required string SequenceKey { get; set; }
    public int StepNumber { get; set; }
    public required string PromptVersion { get; set; }
    public string? Model { get; set; }
    public long InputTokens { get; set; }
    public long OutputTokens { get; set; }
    public required string Outcome { get; set; }
    public int Requested { get; set; }
    public int Kept { get; set; }
    /// <summary>The guardrail rules that dropped drafts, one entry per violation.</summary>
    public List<string> DroppedReasons { get; set; } = [];
    public DateTimeOffset At { get; set; }
    public double DurationMs { get; set; }
    /// <summary>Who asked (<c>X-FlexyPe-Actor</c>, "api").</summary>
    public string? RequestedBy { get; set; }
}
