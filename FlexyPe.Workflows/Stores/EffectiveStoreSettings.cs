using FlexyPe.Workflows.Uplift;

namespace FlexyPe.Workflows.Stores;

/// <summary>A store's settings with every default filled in: what rendering, scheduling and sending use.</summary>
public sealed record EffectiveStoreSettings(
    string StoreId,
    string SenderName,
    string? SenderAddress,
    string? ReplyTo,
    string TimeZone,
    QuietHoursSetting QuietHours,
    TimeSpan FrequencyCap,
    TimeSpan AttributionWindow,
    StoreBrand Brand,
    bool ClickTracking,
    UpliftSettings Uplift,
    StoreVoice Voice)
{
    /// <summary>The From header Notifier should use: <c>Name &lt;address&gt;</c>, or null to leave it to Notifier's own setting.</summary>
    public string? From => SenderAddress is null ? null : new System.Net.Mail.MailAddress(SenderAddress, SenderName).ToString();
}

public sealed record QuietHoursSetting(bool Enabled, TimeOnly Start, TimeOnly End);

/// <summary>What an email shows of the store: its name, logo, colour, money format and footer address.</summary>
public sealed record StoreBrand(string Name, string? LogoUrl, string Colour, string Currency, string Locale, string? AddressLine);

/// <summary>
/// What the copy assistant is told of the store: the language, the brand voice, the phrases it must not use; and the
/// tokens it may spend a day (null: <c>Workflows:Assistant:DailyTokenBudgetPerStore</c>).
/// </summary>
public sealed record StoreVoice(string Language, string? BrandVoice, IReadOnlyList<string> BannedPhrases, long? DailyTokenBudget);
