using System.Globalization;
using System.Text.Json;

namespace FlexyPe.Workflows.Uplift;

/// <summary>
/// What the uplift model sees of one enrollment, as numbers: read from the shopper's normalized event
/// (docs/hand-offs.md) and from the shopper's history in the store. Missing values are explicit: -1 where a number is
/// unknown, with a flag where that matters, never NaN. Changing the fields or their meaning means a new
/// <see cref="SchemaVersion"/>: a model trained on another schema is not used.
/// </summary>
public sealed record RecoveryFeatures
{
    public const int SchemaVersion = 1;

    /// <summary>How far the shopper got in the checkout: 0 (INITIATED) to 7 (COMPLETED); -1 when there is no checkout state.</summary>
    public float SessionState { get; init; } = -1;
    /// <summary>The checkout's total payable (else the cart's sum); -1 when unknown.</summary>
    public float CartValue { get; init; } = -1;
    public float CartValueMissing { get; init; } = 1;
    public float CartLines { get; init; }
    public float CartUnits { get; init; }
    /// <summary>Discount already in the checkout when it was abandoned.</summary>
    public float CheckoutDiscount { get; init; }
    /// <summary>1 when the shopper bought from the store before, 0 for a new shopper.</summary>
    public float Returning { get; init; }
    public float EarlierPurchases { get; init; }
    public float EarlierRecoveries { get; init; }
    public float EarlierDiscounts { get; init; }
    /// <summary>Product and collection views before abandoning (browsing depth).</summary>
    public float ViewsBeforeAbandoning { get; init; }
    /// <summary>Pages of the abandoned browsing session, when the event is one.</summary>
    public float SessionPages { get; init; }
    /// <summary>Hour (0 to 23) and weekday (0 Monday to 6 Sunday) in the store's time zone; -1 when the event has no time.</summary>
    public float HourOfDay { get; init; } = -1;
    public float DayOfWeek { get; init; } = -1;
    public float Weekend { get; init; }
    public float HasUtm { get; init; }
    public float UtmSourceMeta { get; init; }
    public float UtmSourceGoogle { get; init; }
    public float UtmSourceEmail { get; init; }
    public float UtmSourceWhatsApp { get; init; }
    /// <summary>Any other UTM source, hashed (SHA-256) into <see cref="UtmSourceBuckets"/> buckets; -1 when there is none or it is named above.</summary>
    public float UtmSourceOther { get; init; } = -1;
    public float UtmMediumPaid { get; init; }
    public float UtmMediumSocial { get; init; }
    public float UtmMediumEmail { get; init; }
    public float UtmMediumReferral { get; init; }
    public float UtmMediumOther { get; init; }
    public float DeviceDesktop { get; init; }
    public float DeviceMobile { get; init; }
    public float DeviceTablet { get; init; }
    public float DeviceBot { get; init; }
    /// <summary>No user agent, or one that says nothing recognizable.</summary>
    public float DeviceUnknown { get; init; } = 1;

    public const int UtmSourceBuckets = 8;

    /// <summary>The fields in the model's order (the order of <see cref="ToVector"/>); names are for logs and the API.</summary>
    public static readonly IReadOnlyList<(string Name, Func<RecoveryFeatures, float> Value)> Columns =
    [
        ("session_state", f => f.SessionState), ("cart_value", f => f.CartValue), ("cart_value_missing", f => f.CartValueMissing),
        ("cart_lines", f => f.CartLines), ("cart_units", f => f.CartUnits), ("checkout_discount", f => f.CheckoutDiscount),
        ("returning", f => f.Returning), ("earlier_purchases", f => f.EarlierPurchases),
        ("earlier_recoveries", f => f.EarlierRecoveries), ("earlier_discounts", f => f.EarlierDiscounts),
        ("views_before_abandoning", f => f.ViewsBeforeAbandoning), ("session_pages", f => f.SessionPages),
        ("hour_of_day", f => f.HourOfDay), ("day_of_week", f => f.DayOfWeek), ("weekend", f => f.Weekend),
        ("has_utm", f => f.HasUtm), ("utm_source_meta", f => f.UtmSourceMeta), ("utm_source_google", f => f.UtmSourceGoogle),
        ("utm_source_email", f => f.UtmSourceEmail), ("utm_source_whatsapp", f => f.UtmSourceWhatsApp),
        ("utm_source_other", f => f.UtmSourceOther), ("utm_medium_paid", f => f.UtmMediumPaid),
        ("utm_medium_social", f => f.UtmMediumSocial), ("utm_medium_email", f => f.UtmMediumEmail),
        ("utm_medium_referral", f => f.UtmMediumReferral), ("utm_medium_other", f => f.UtmMediumOther),
        ("device_desktop", f => f.DeviceDesktop), ("device_mobile", f => f.DeviceMobile), ("device_tablet", f => f.DeviceTablet),
        ("device_bot", f => f.DeviceBot), ("device_unknown", f => f.DeviceUnknown),
    ];

    /// <summary>The length of <see cref="ToVector"/>; a constant because the model's input column is declared with it.</summary>
    public const int Count = 31;

    public float[] ToVector()
    {
        var vector = new float[Count];
        for (var i = 0; i < Count; i++)
        {
            vector[i] = Columns[i].Value(this);
        }
        return vector;
    }

    /// <summary>The name of the first field that is NaN or infinite; null when every field is a finite number.</summary>
    public string? FirstNonFinite() => Columns.FirstOrDefault(c => !float.IsFinite(c.Value(this))).Name;
}

/// <summary>What the store knows of the shopper before this enrollment (counted by Workflows, not sent by FlexyPe).</summary>
public sealed record ShopperHistory(
    int EarlierPurchases = 0,
    int EarlierRecoveries = 0,
    int EarlierDiscounts = 0,
    int ViewsBeforeAbandoning = 0)
{
    public static readonly ShopperHistory None = new();
}

/// <summary>Builds <see cref="RecoveryFeatures"/> from a normalized event and the shopper's history.</summary>
public static class RecoveryFeatureBuilder
{
    private static readonly string[] SessionStates =
    [
        "INITIATED", "PHONE_ENTERED", "OTP_VERIFIED", "ADDRESS_LOADED", "ADDRESS_SHIPPING_SELECTED",
        "PAYMENT_LOADED", "PAYMENT_INITIATED", "COMPLETED",
    ];

    /// <param name="normalizedEvent">The enrollment's latest normalized event (the shape of docs/hand-offs.md).</param>
    /// <param name="history">Counts from the store's earlier enrollments and events of this shopper.</param>
    /// <param name="storeTimeZone">For the hour and weekday the shopper abandoned in.</param>
    /// <param name="furthestSessionState">The furthest state the enrollment saw, when later deliveries went back (else the event's own).</param>
    public static RecoveryFeatures Build(JsonElement normalizedEvent, ShopperHistory history, TimeZoneInfo storeTimeZone, string? furthestSessionState = null)
    {
        var checkout = Section(normalizedEvent, "checkout");
        var lines = Section(normalizedEvent, "cart") is { ValueKind: JsonValueKind.Array } cart ? cart.EnumerateArray().ToList() : [];
        var cartSum = lines.Sum(line => (Number(line, "price") ?? 0) * (Number(line, "quantity") ?? 1));
        var cartValue = Number(checkout, "total_payable") ?? (lines.Count > 0 ? cartSum : null);
        var state = Array.IndexOf(SessionStates, (furthestSessionState ?? Text(checkout, "session_state"))?.ToUpperInvariant());
        var pages = Section(Section(normalizedEvent, "session"), "pages") is { ValueKind: JsonValueKind.Array } p ? p.GetArrayLength() : 0;
        var when = Time(normalizedEvent, "occurred_at") ?? Time(normalizedEvent, "received_at");
        var local = when is { } instant ? TimeZoneInfo.ConvertTime(instant, storeTimeZone) : (DateTimeOffset?)null;
        var weekday = local is { } l ? ((int)l.DayOfWeek + 6) % 7 : -1;

        var utm = Section(normalizedEvent, "utm");
        var source = Text(utm, "utm_source")?.ToLowerInvariant();
        var medium = Text(utm, "utm_medium")?.ToLowerInvariant();
        var sourceGroup = SourceGroup(source);
        var mediumGroup = MediumGroup(medium);
        var device = Text(Section(normalizedEvent, "device"), "class");

        return new RecoveryFeatures
        {
            SessionState = state,
            CartValue = cartValue is { } value ? (float)value : -1,
            CartValueMissing = cartValue is null ? 1 : 0,
            CartLines = lines.Count,
            CartUnits = (float)lines.Sum(line => Number(line, "quantity") ?? 1),
            CheckoutDiscount = (float)(Number(checkout, "discount") ?? 0),
            Returning = history.EarlierPurchases > 0 ? 1 : 0,
            EarlierPurchases = history.EarlierPurchases,
            EarlierRecoveries = history.EarlierRecoveries,
            EarlierDiscounts = history.EarlierDiscounts,
            ViewsBeforeAbandoning = history.ViewsBeforeAbandoning,
            SessionPages = pages,
            HourOfDay = local?.Hour ?? -1,
            DayOfWeek = weekday,
            Weekend = weekday >= 5 ? 1 : 0,
            HasUtm = source is null && medium is null ? 0 : 1,
            UtmSourceMeta = sourceGroup == "meta" ? 1 : 0,
            UtmSourceGoogle = sourceGroup == "google" ? 1 : 0,
            UtmSourceEmail = sourceGroup == "email" ? 1 : 0,
            UtmSourceWhatsApp = sourceGroup == "whatsapp" ? 1 : 0,
            UtmSourceOther = sourceGroup == "other" ? (float)Math.Floor(Holdout.UnitInterval("utm_source", source!) * RecoveryFeatures.UtmSourceBuckets) : -1,
            UtmMediumPaid = mediumGroup == "paid" ? 1 : 0,
            UtmMediumSocial = mediumGroup == "social" ? 1 : 0,
            UtmMediumEmail = mediumGroup == "email" ? 1 : 0,
            UtmMediumReferral = mediumGroup == "referral" ? 1 : 0,
            UtmMediumOther = mediumGroup == "other" ? 1 : 0,
            DeviceDesktop = device == "desktop" ? 1 : 0,
            DeviceMobile = device == "mobile" ? 1 : 0,
            DeviceTablet = device == "tablet" ? 1 : 0,
            DeviceBot = device == "bot" ? 1 : 0,
            DeviceUnknown = device is "desktop" or "mobile" or "tablet" or "bot" ? 0 : 1,
        };
    }

    /// <summary>The sources most of FlexyPe's (mostly Indian, mostly social-commerce) traffic comes from, by name.</summary>
    private static string? SourceGroup(string? source) => source switch
    {
        null => null,
        _ when ContainsAny(source, "facebook", "instagram", "meta", "fb", "ig") => "meta",
        _ when ContainsAny(source, "google", "youtube", "gads") => "google",
        _ when ContainsAny(source, "email", "klaviyo", "newsletter", "mail") => "email",
        _ when ContainsAny(source, "whatsapp", "wa") => "whatsapp",
        _ => "other",
    };

    private static string? MediumGroup(string? medium) => medium switch
    {
        null => null,
        _ when ContainsAny(medium, "paid", "cpc", "ppc", "cpm", "ads", "display") => "paid",
        _ when ContainsAny(medium, "social", "reel", "story", "influencer") => "social",
        _ when ContainsAny(medium, "email", "newsletter", "mail") => "email",
        _ when ContainsAny(medium, "referral", "affiliate", "partner") => "referral",
        _ => "other",
    };

    /// <summary>True when a word of <paramref name="text"/> (split on non-letters) starts with one of the keys; "fb" matches "fb_ads", not "fbx".</summary>
    private static bool ContainsAny(string text, params string[] keys)
        => text.Split(NonLetters, StringSplitOptions.RemoveEmptyEntries)
            .Any(word => keys.Any(key => key.Length <= 2 ? word == key : word.StartsWith(key, StringComparison.Ordinal)));

    private static readonly char[] NonLetters = [.. Enumerable.Range(0, 128).Select(c => (char)c).Where(c => !char.IsAsciiLetter(c))];

    private static JsonElement? Section(JsonElement? parent, string name)
        => parent is { ValueKind: JsonValueKind.Object } obj && obj.TryGetProperty(name, out var child) && child.ValueKind != JsonValueKind.Null
            ? child
            : null;

    private static string? Text(JsonElement? parent, string name)
        => Section(parent, name) is { ValueKind: JsonValueKind.String } s && !string.IsNullOrWhiteSpace(s.GetString()) ? s.GetString()!.Trim() : null;

    /// <summary>A finite number (sent as a number or as text); null otherwise, so NaN or garbage never reaches the model.</summary>
    private static double? Number(JsonElement? parent, string name)
    {
        var value = Section(parent, name) switch
        {
            { ValueKind: JsonValueKind.Number } n when n.TryGetDouble(out var d) => d,
            { ValueKind: JsonValueKind.String } s when double.TryParse(s.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            _ => (double?)null,
        };
        return value is { } v && double.IsFinite(v) && Math.Abs(v) < 1e12 ? v : null;
    }

    private static DateTimeOffset? Time(JsonElement? parent, string name)
        => Text(parent, name) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
}
