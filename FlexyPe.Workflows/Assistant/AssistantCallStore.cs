using FlexyPe.Workflows.Infrastructure;
using FlexyPe.Workflows.Model;
using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Workflows.Assistant;

/// <summary>
/// The audit of assistant calls in <c>assistant_calls</c> (the budget is counted from it), and the proposed variants
/// in <c>copy_variants</c>, written together.
/// </summary>
public sealed class AssistantCallStore(WorkflowsDbContext db) : IAssistantUsageStore
{
    public async Task<IReadOnlyList<AssistantCallRecord>> CallsSinceAsync(string storeId, DateTimeOffset since, CancellationToken ct)
        => [.. (await db.AssistantCalls.AsNoTracking().Where(c => c.StoreId == storeId && c.At >= since).ToListAsync(ct)).Select(Record)];

    public async Task AddAsync(AssistantCallRecord call, CancellationToken ct)
    {
        db.AssistantCalls.Add(Row(call, requestedBy: null));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The call's audit and the variants it proposed, in one transaction: no variant exists without its audit.</summary>
    public async Task<List<StepCopyVariant>> RecordAsync(CopyProposal proposal, string requestedBy, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var call = Row(proposal.Audit, requestedBy);
        db.AssistantCalls.Add(call);
        var variants = proposal.Variants.Select(v => new StepCopyVariant
        {
            Id = v.Id, SequenceKey = proposal.Audit.SequenceKey, StepNumber = proposal.Audit.StepNumber,
            Subject = v.Subject, PreviewText = v.PreviewText, Opening = v.Opening, State = v.State, ProposedAt = v.ProposedAt,
            AssistantCallId = call.Id, StoreId = proposal.Audit.StoreId,
        }).ToList();
        db.CopyVariants.AddRange(variants);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return variants;
    }

    private static AssistantCall Row(AssistantCallRecord call, string? requestedBy) => new()
    {
        Id = call.Id, StoreId = call.StoreId, SequenceKey = call.SequenceKey, StepNumber = call.StepNumber,
        PromptVersion = call.PromptVersion, Model = call.Model, InputTokens = call.InputTokens, OutputTokens = call.OutputTokens,
        Outcome = call.Outcome, Requested = call.Requested, Kept = call.Kept, DroppedReasons = [.. call.DroppedReasons],
        At = call.At, DurationMs = call.Duration.TotalMilliseconds, RequestedBy = requestedBy,
    };

    private static AssistantCallRecord Record(AssistantCall row) => new(
        row.Id, row.StoreId, row.SequenceKey, row.StepNumber, row.PromptVersion, row.Model, row.InputTokens, row.OutputTokens,
        row.Outcome, row.Requested, row.Kept, row.DroppedReasons, row.At, TimeSpan.FromMilliseconds(row.DurationMs));
}
