namespace FlexyPe.Workflows.Model;

/// <summary>
/// A store's own settings, edited in the console at run time. Every field left null falls back to the configured
/// default (<c>Workflows:StoreDefaults</c>, <c>Workflows:QuietHours</c>, …), so a store with no row uses the defaults.
/// </summary>
public sealed class StoreSettings
{
    public required string StoreId { get; set; }

    /// <summary>The sender's display name (else the store's name from its events).</summary>
    public string? SenderName { get; set; }
    public string? SenderAddress { get; set; }
    public string? ReplyTo { get; set; }

    /// <summary>IANA time zone, for quiet hours and for the hour and weekday the models see.</summary>
    public string? TimeZone { get; set; }
    public bool? QuietHoursEnabled { get; set; }
    public TimeOnly? QuietHoursStart { get; set; }
    public TimeOnly? QuietHoursEnd { get; set; }
    public TimeSpan? FrequencyCap { get; set; }
    public TimeSpan? AttributionWindow { get; set; }

    public string? LogoUrl { get; set; }
    /// <summary><c>#rrggbb</c>: buttons and accents in the emails.</summary>
    public string? BrandColour { get; set; }
    /// <summary>ISO 4217; FlexyPe's amounts carry none, they are "in the store's currency".</summary>
    public string? Currency { get; set; }
    /// <summary>A culture name (<c>en-IN</c>) for formatting money and dates.</summary>
    public string? Locale { get; set; }
    /// <summary>The postal address line in every email's footer.</summary>
    public string? AddressLine { get; set; }
    public bool? ClickTracking { get; set; }

    /// <summary>Share of enrollments held out (0 to 1; 0 turns the holdout off).</summary>
    public double? HoldoutShare { get; set; }
    /// <summary>Share of treated enrollments given a step's discount at random, and the same share denied it (0 to 0.5).</summary>
    public double? ExplorationShare { get; set; }
    /// <summary>The share of an order's value the store keeps (its margin), above 0 to 1, against which a discount is weighed.</summary>
    public double? MarginKept { get; set; }
    /// <summary>The most of the store's model decisions that may offer the discount (0 to 1).</summary>
    public double? OfferCap { get; set; }

    /// <summary>The language the copy assistant writes in (a name or a BCP 47 tag).</summary>
    public string? Language { get; set; }
    /// <summary>Free-text notes on the store's brand voice, given to the copy assistant.</summary>
    public string? BrandVoice { get; set; }
    /// <summary>Phrases generated copy must never use.</summary>
    public List<string>? BannedPhrases { get; set; }
    /// <summary>Tokens the copy assistant may spend for the store per UTC day.</summary>
    public long? DailyTokenBudget { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>Who made the last change (the console's signed-in user; "api" for a bare admin-key call).</summary>
    public string? UpdatedBy { get; set; }
}
