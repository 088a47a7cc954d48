using FlexyPe.Workflows.Model;

namespace FlexyPe.Workflows.Sequences;

/// <summary>A sequence as the API shows it.</summary>
public sealed record SequenceView(
    Guid Id, string Key, int Version, bool IsCurrent, string Name, string Trigger, bool Enabled,
    IReadOnlyList<string> ExitRules, IReadOnlyList<StepView> Steps, DateTimeOffset CreatedAt, string? CreatedBy,
    int? ActiveEnrollments = null)
{
    public static SequenceView From(Sequence s, int? activeEnrollments = null) => new(
        s.Id, s.Key, s.Version, s.IsCurrent, s.Name, s.Trigger, s.Enabled, s.ExitRules,
        [.. s.Steps.OrderBy(st => st.Number).Select(st => new StepView(
            st.Number, st.Delay, st.DelayFrom, st.Subject, st.PreviewText, st.Template, st.DiscountCode, st.Enabled,
            st.DiscountPercent, st.DiscountAmount))],
        s.CreatedAt, s.CreatedBy, activeEnrollments);
}

/// <summary>A step; a discount's worth is <see cref="DiscountPercent"/> of the order or <see cref="DiscountAmount"/> off, so its cost can be weighed.</summary>
public sealed record StepView(
    int Number, TimeSpan Delay, string DelayFrom, string Subject, string? PreviewText, string Template, string? DiscountCode, bool Enabled,
    decimal? DiscountPercent = null, decimal? DiscountAmount = null);

/// <summary>What a marketer sends to create a sequence or a new version of one.</summary>
public sealed record SequenceInput(
    string? Key, string? Name, string? Trigger, bool? Enabled, IReadOnlyList<string>? ExitRules,
    IReadOnlyList<StepInput>? Steps, bool MigrateEnrollments = false);

public sealed record StepInput(
    TimeSpan Delay, string? DelayFrom, string? Subject, string? Template, string? DiscountCode, bool? Enabled, string? PreviewText = null,
    decimal? DiscountPercent = null, decimal? DiscountAmount = null);
