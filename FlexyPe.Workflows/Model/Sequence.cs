namespace FlexyPe.Workflows.Model;

/// <summary>
/// One version of a marketer-configured sequence. Editing a sequence adds a version; enrollments keep the version
/// they started on unless the marketer migrates them.
/// </summary>
public sealed class Sequence
{
    public Guid Id { get; set; }
    /// <summary>Stable name across versions, e.g. <c>abandoned-checkout</c>.</summary>
    public required string Key { get; set; }
    public int Version { get; set; }
    public bool IsCurrent { get; set; }
    public required string Name { get; set; }
    /// <summary>The event type that enrolls a shopper: abandoned_checkout, abandoned_session or new_customer.</summary>
    public required string Trigger { get; set; }
    public bool Enabled { get; set; } = true;
    /// <summary>See <see cref="ExitRules"/>.</summary>
    public List<string> ExitRules { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>Who made this version (the console's user, "api", or "seed").</summary>
    public string? CreatedBy { get; set; }
    public List<SequenceStep> Steps { get; set; } = [];
}

/// <summary>A timed message of a sequence. <see cref="Number"/> counts from 1.</summary>
public sealed class SequenceStep
{
    public Guid SequenceId { get; set; }
    public int Number { get; set; }
    public TimeSpan Delay { get; set; }
    /// <summary><see cref="DelayFrom.Trigger"/> or <see cref="DelayFrom.PreviousStep"/>.</summary>
    public string DelayFrom { get; set; } = Model.DelayFrom.Trigger;
    public required string Subject { get; set; }
    /// <summary>The preheader: the line inboxes show after the subject (Liquid, plain text).</summary>
    public string? PreviewText { get; set; }
    public required string Template { get; set; }
    public string? DiscountCode { get; set; }
    /// <summary>What the discount takes off, as a percentage of the order (10 for 10%); or <see cref="DiscountAmount"/>.</summary>
    public decimal? DiscountPercent { get; set; }
    /// <summary>What the discount takes off, as an amount in the store's currency.</summary>
    public decimal? DiscountAmount { get; set; }
    public bool Enabled { get; set; } = true;

    /// <summary>What the discount costs the store on an order of <paramref name="orderValue"/>; null when the step gives no worth for it.</summary>
    public decimal? DiscountCostOn(decimal orderValue)
        => DiscountPercent is { } percent ? Math.Round(orderValue * percent / 100m, 2)
            : DiscountAmount is { } amount ? Math.Min(amount, orderValue)
            : null;
}

public static class DelayFrom
{
    public const string Trigger = "trigger";
    public const string PreviousStep = "previous_step";
}

/// <summary>What ends an enrollment besides its last step.</summary>
public static class ExitRules
{
    /// <summary>The shopper completes any checkout: the enrollment ends.</summary>
    public const string Purchase = "purchase";
    /// <summary>The shopper completes any checkout: the remaining steps with a discount code are cancelled.</summary>
    public const string PurchaseEndsDiscountSteps = "purchase_ends_discount_steps";
    /// <summary>The shopper abandons a checkout (ACR supersedes ASR): the enrollment ends.</summary>
    public const string CheckoutAbandoned = "checkout_abandoned";

    public static readonly string[] All = [Purchase, PurchaseEndsDiscountSteps, CheckoutAbandoned];
}
