namespace FlexyPe.Console.Clients;

// Workflows' API (docs/workflows.md), as the console reads and sends it. Fields a newer Workflows adds are nullable
// here, so the console reads an older one too.

public sealed record SequenceView(
    Guid Id, string Key, int Version, bool IsCurrent, string Name, string Trigger, bool Enabled,
    IReadOnlyList<string> ExitRules, IReadOnlyList<StepView> Steps, DateTimeOffset CreatedAt,
    string? CreatedBy = null, int? ActiveEnrollments = null);

/// <summary>A step; <c>DiscountPercent</c> / <c>DiscountAmount</c> are its discount's worth, carried through edits unchanged.</summary>
public sealed record StepView(
    int Number, TimeSpan Delay, string DelayFrom, string Subject, string Template, string? DiscountCode, bool Enabled,
    string? PreviewText = null, decimal? DiscountPercent = null, decimal? DiscountAmount = null);

public sealed record SequenceInput(
    string? Key, string? Name, string? Trigger, bool? Enabled, IReadOnlyList<string>? ExitRules,
    IReadOnlyList<StepInput>? Steps, bool MigrateEnrollments = false);

public sealed record StepInput(
    TimeSpan Delay, string? DelayFrom, string? Subject, string? PreviewText, string? Template, string? DiscountCode, bool? Enabled,
    decimal? DiscountPercent = null, decimal? DiscountAmount = null);

public sealed record SequenceVersionAdded(SequenceView Sequence, int MigratedEnrollments);
public sealed record PreviewRequest(string? StoreId, string? EventId, int? Version);
public sealed record PreviewView(string Subject, string? PreviewText, string HtmlBody, string Source);

/// <summary>The parts of a step a marketer writes, as the draft preview takes them.</summary>
public sealed record StepDraftBody(string? Subject, string? PreviewText, string? Template, string? DiscountCode);

public sealed record DraftPreviewRequest(string? Trigger, StepDraftBody Step, int StepNumber, string? StoreId, string? EventId);
public sealed record DraftTestSendRequest(string? To, string? Trigger, StepDraftBody Step, string? StoreId, string? EventId);

/// <summary>An event Workflows has taken: what a preview can be rendered against.</summary>
public sealed record ReceivedEventSummary(string StoreId, string EventId, string Type, string? ShopperEmail, DateTimeOffset OccurredAt);
public sealed record TestSendRequest(string? To, string? StoreId, string? EventId, int? Version);
public sealed record TestSendView(string IdempotencyKey, string Subject);

public sealed record EnrollmentSummary(
    Guid Id, string StoreId, string SequenceKey, int SequenceVersion, string Trigger, string SubjectKey, string? Email,
    string State, string? EndReason, string? SessionState, DateTimeOffset EnrolledAt, DateTimeOffset? EndedAt,
    string? Phone = null);

public sealed record StepStatus(
    int Number, DateTimeOffset DueAt, string State, string? Reason, DateTimeOffset? FiredAt, string? DeliveryStatus, string IdempotencyKey);

public sealed record TimelineEntry(DateTimeOffset? At, string Kind, int? Step, string? Reason, decimal? Revenue);

public sealed record EnrollmentView(EnrollmentSummary Enrollment, IReadOnlyList<StepStatus> Steps, IReadOnlyList<TimelineEntry> Timeline);

public sealed record StepStats(int Number, int Sent, int Skipped, int Cancelled, int Clicks, int Recovered, decimal Revenue);

public sealed record SequenceStats(string SequenceKey, int Enrolled, int Sent, int Clicks, int Recovered, decimal Revenue, IReadOnlyList<StepStats> Steps);

public sealed record DailyStats(DateOnly Date, int Enrolled, int Sent, int Clicks, int Recovered, decimal Revenue);

public sealed record StoreSummary(string StoreId, string? Name, bool HasSettings, DateTimeOffset? FirstSeenAt);

public sealed record QuietHoursSetting(bool? Enabled, string? Start, string? End);

/// <summary>A store's brand. <c>Name</c> is read only: it is the sender's name, else the store's name from its events.</summary>
public sealed record BrandSetting(string? LogoUrl, string? Colour, string? Currency, string? Locale, string? AddressLine, string? Name = null);

/// <summary>A store's settings: every field filled in when read (effective), null for "use the default" when written.</summary>
public sealed record StoreSettingsValues(
    string? SenderName, string? SenderAddress, string? ReplyTo, string? TimeZone, QuietHoursSetting? QuietHours,
    TimeSpan? FrequencyCap, TimeSpan? AttributionWindow, BrandSetting? Brand, bool? ClickTracking);

public sealed record StoreSettingsView(
    string StoreId, StoreSettingsValues Settings, IReadOnlyList<string> Overridden, DateTimeOffset? UpdatedAt, string? UpdatedBy);

public static class Triggers
{
    public const string AbandonedCheckout = "abandoned_checkout";
    public const string AbandonedSession = "abandoned_session";
    public const string NewCustomer = "new_customer";

    public static readonly string[] All = [AbandonedCheckout, AbandonedSession, NewCustomer];

    public static string Describe(string trigger) => trigger switch
    {
        AbandonedCheckout => "Abandoned checkout",
        AbandonedSession => "Abandoned browsing session",
        NewCustomer => "New customer (welcome)",
        _ => trigger,
    };
}

public static class ExitRules
{
    public const string Purchase = "purchase";
    public const string PurchaseEndsDiscountSteps = "purchase_ends_discount_steps";
    public const string CheckoutAbandoned = "checkout_abandoned";

    public static readonly (string Rule, string Meaning)[] All =
    [
        (Purchase, "A purchase ends the sequence"),
        (PurchaseEndsDiscountSteps, "A purchase cancels the steps with a discount code"),
        (CheckoutAbandoned, "An abandoned checkout ends it (for browsing sessions)"),
    ];
}
