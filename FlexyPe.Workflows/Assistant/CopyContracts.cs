namespace FlexyPe.Workflows.Assistant;

/// <summary>
/// Everything the model is told about a step. It has no field for a shopper: the copy is written once per step, at
/// authoring time, and personalised only through Liquid variables when each message renders.
/// </summary>
/// <param name="Intent">What the step is for; see <see cref="StepIntents"/> (free text is allowed).</param>
/// <param name="Trigger">The sequence's trigger: abandoned_checkout, abandoned_session or new_customer.</param>
/// <param name="HasDiscount">Whether the step carries a discount code: only then may copy speak of prices, percentages or money.</param>
/// <param name="AllowedVariables">The Liquid variables the copy may use; see <see cref="CopyVariables"/>.</param>
/// <param name="BannedPhrases">The store's phrases that must never appear (compared ignoring case).</param>
public sealed record CopyBrief(
    string StoreId,
    string SequenceKey,
    string Trigger,
    int StepNumber,
    int StepCount,
    bool HasDiscount,
    string Intent,
    BrandVoice Voice,
    IReadOnlyList<CopyVariable> AllowedVariables,
    IReadOnlyList<string> BannedPhrases,
    int Count);

/// <summary>The store's brand voice: the language to write in (a BCP 47 tag or a name) and free-text notes.</summary>
public sealed record BrandVoice(string Language, string? Notes);

/// <summary>
/// A Liquid variable copy may use, e.g. <c>customer.first_name</c>. The model sees the path and the description;
/// <see cref="Sample"/> (a typical rendered value) is used only here, to measure a subject as a shopper would see it.
/// </summary>
public sealed record CopyVariable(string Path, string Description, string Sample);

/// <summary>Common step intents; a marketer may also type their own.</summary>
public static class StepIntents
{
    public const string Reminder = "reminder";
    public const string SocialProof = "social_proof";
    public const string Scarcity = "scarcity";
    public const string LastChance = "last_chance";
    public const string DiscountOffer = "discount_offer";
    public const string Welcome = "welcome";

    public static readonly string[] All = [Reminder, SocialProof, Scarcity, LastChance, DiscountOffer, Welcome];
}

/// <summary>One variant as the model wrote it (the structured-output shape).</summary>
public sealed record CopyDraft(string Subject, string PreviewText, string Opening);

/// <summary>The structured answer the model is asked for.</summary>
public sealed record CopyDrafts(IReadOnlyList<CopyDraft> Variants);

/// <summary>Why a draft was not shown: which field broke which rule, in words a marketer reads.</summary>
public sealed record GuardrailViolation(string Field, string Rule, string Detail);

/// <summary>The rules a draft must pass before a marketer sees it (the <see cref="GuardrailViolation.Rule"/> values).</summary>
public static class GuardrailRules
{
    public const string Empty = "empty";
    public const string LiquidSyntax = "liquid_syntax";
    public const string UnknownVariable = "unknown_variable";
    public const string TemplateInclude = "template_include";
    public const string Price = "price_without_discount";
    public const string Percentage = "percentage_without_discount";
    public const string Currency = "currency_without_discount";
    public const string DiscountCode = "discount_code";
    public const string Url = "url";
    public const string SubjectTooLong = "subject_too_long";
    public const string BannedPhrase = "banned_phrase";
    public const string Html = "html";
}

/// <summary>A draft the guardrails refused, with every reason.</summary>
public sealed record DroppedVariant(CopyDraft Draft, IReadOnlyList<GuardrailViolation> Reasons);

/// <summary>
/// A generated variant. It starts <see cref="CopyVariantStates.Proposed"/>; only a person moves it to approved or
/// rejected, and only approved variants can be sent (<see cref="Variants.VariantTest"/> takes no other).
/// </summary>
public sealed record CopyVariant(
    Guid Id,
    string Subject,
    string PreviewText,
    string Opening,
    string State,
    DateTimeOffset ProposedAt,
    string? DecidedBy = null,
    DateTimeOffset? DecidedAt = null)
{
    public static CopyVariant Propose(CopyDraft draft, DateTimeOffset at)
        => new(Guid.CreateVersion7(at), draft.Subject.Trim(), draft.PreviewText.Trim(), draft.Opening.Trim(), CopyVariantStates.Proposed, at);

    public CopyVariant Approve(string by, DateTimeOffset at) => Decide(CopyVariantStates.Approved, by, at);

    public CopyVariant Reject(string by, DateTimeOffset at) => Decide(CopyVariantStates.Rejected, by, at);

    private CopyVariant Decide(string state, string by, DateTimeOffset at)
    {
        if (State != CopyVariantStates.Proposed)
        {
            throw new InvalidOperationException($"Variant {Id} is {State}; only a proposed variant can be {state}.");
        }
        ArgumentException.ThrowIfNullOrWhiteSpace(by);
        return this with { State = state, DecidedBy = by, DecidedAt = at };
    }
}

public static class CopyVariantStates
{
    public const string Proposed = "proposed";
    public const string Approved = "approved";
    public const string Rejected = "rejected";
}

/// <summary>What a request for copy came to; <see cref="AssistantOutcomes.Ok"/> is the only one with variants.</summary>
public static class AssistantOutcomes
{
    public const string Ok = "ok";
    public const string Off = "off";
    public const string BudgetExhausted = "budget_exhausted";
    public const string CircuitOpen = "circuit_open";
    public const string Timeout = "timeout";
    public const string RateLimited = "rate_limited";
    public const string Failed = "failed";
    /// <summary>The model answered, but not in the requested JSON schema.</summary>
    public const string Unparseable = "unparseable";
}

/// <summary>
/// The audit of one request for copy, returned for persistence (<c>assistant_calls</c>): what was asked of which
/// model, what it cost and what came of it. It holds no generated text and nothing about a shopper.
/// </summary>
public sealed record AssistantCallRecord(
    Guid Id,
    string StoreId,
    string SequenceKey,
    int StepNumber,
    string PromptVersion,
    string? Model,
    long InputTokens,
    long OutputTokens,
    string Outcome,
    int Requested,
    int Kept,
    IReadOnlyList<string> DroppedReasons,
    DateTimeOffset At,
    TimeSpan Duration)
{
    public long TotalTokens => InputTokens + OutputTokens;
}

/// <summary>The answer to a request for copy: the kept variants (proposed), the dropped ones with reasons, the audit.</summary>
public sealed record CopyProposal(
    string Outcome,
    string? Message,
    IReadOnlyList<CopyVariant> Variants,
    IReadOnlyList<DroppedVariant> Dropped,
    AssistantCallRecord Audit);

/// <summary>What the API and the console show about the assistant.</summary>
/// <param name="State"><c>on</c>, <c>off</c> (no model configured) or <c>paused</c> (the circuit is open after failures).</param>
public sealed record AssistantStatus(string State, string Detail, string? Model, string? Endpoint, string PromptVersion, long DailyTokenBudgetPerStore);
