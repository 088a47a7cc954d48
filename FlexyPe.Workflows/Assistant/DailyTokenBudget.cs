namespace FlexyPe.Workflows.Assistant;

/// <summary>Where a store stands against its daily token budget.</summary>
public sealed record BudgetState(long Limit, long Used, DateTimeOffset ResetsAt)
{
    public long Remaining => Math.Max(0, Limit - Used);
}

/// <summary>
/// The per-store daily token budget, computed from the calls already made (the tokens each response reported). It
/// holds no state: the calls come from <see cref="IAssistantUsageStore"/>, so every replica sees the same count.
/// Days are UTC days.
/// </summary>
public sealed class DailyTokenBudget(long limitPerStore)
{
    public long Limit { get; } = limitPerStore;

    public BudgetState For(string storeId, IEnumerable<AssistantCallRecord> calls, DateTimeOffset now)
    {
        var dayStart = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var dayEnd = dayStart.AddDays(1);
        var used = calls
            .Where(c => c.StoreId == storeId && c.At >= dayStart && c.At < dayEnd)
            .Sum(c => c.TotalTokens);
        return new BudgetState(Limit, used, dayEnd);
    }

    /// <summary>
    /// A call may start only when what is left covers its largest possible answer, so one call can overrun the
    /// budget by at most its prompt.
    /// </summary>
    public static bool Allows(BudgetState state, int maxOutputTokens) => state.Remaining >= maxOutputTokens;
}

/// <summary>
/// Where the audit records of assistant calls are kept (the <c>assistant_calls</c> table); the budget is counted
/// from them.
/// </summary>
public interface IAssistantUsageStore
{
    /// <summary>The store's calls at or after <paramref name="since"/>.</summary>
    Task<IReadOnlyList<AssistantCallRecord>> CallsSinceAsync(string storeId, DateTimeOffset since, CancellationToken ct);

    Task AddAsync(AssistantCallRecord call, CancellationToken ct);
}
