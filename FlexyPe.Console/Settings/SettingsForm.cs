using System.Globalization;
using System.Text.RegularExpressions;
using FlexyPe.Console.Clients;
using FlexyPe.Console.Sequences;

namespace FlexyPe.Console.Settings;

/// <summary>
/// A store's settings as the form holds them: text for every field, empty for "use the default". What is sent is the
/// store's own values only; Workflows fills in the rest from its configuration.
/// </summary>
public sealed partial class SettingsForm
{
    public string SenderName { get; set; } = "";
    public string SenderAddress { get; set; } = "";
    public string ReplyTo { get; set; } = "";
    public string TimeZone { get; set; } = "";
    /// <summary>"", "on" or "off".</summary>
    public string QuietHours { get; set; } = "";
    public string QuietStart { get; set; } = "";
    public string QuietEnd { get; set; } = "";
    public string FrequencyCap { get; set; } = "";
    public string AttributionWindow { get; set; } = "";
    public string LogoUrl { get; set; } = "";
    public string Colour { get; set; } = "";
    public string Currency { get; set; } = "";
    public string Locale { get; set; } = "";
    public string AddressLine { get; set; } = "";
    /// <summary>"", "on" or "off".</summary>
    public string ClickTracking { get; set; } = "";

    /// <summary>The form for a store: its own values where it has them (<c>overridden</c>), empty elsewhere.</summary>
    public static SettingsForm From(StoreSettingsView view)
    {
        var s = view.Settings;
        var own = view.Overridden.ToHashSet(StringComparer.Ordinal);
        string Own(string field, string? value) => own.Contains(field) ? value ?? "" : "";
        return new SettingsForm
        {
            SenderName = Own("sender_name", s.SenderName),
            SenderAddress = Own("sender_address", s.SenderAddress),
            ReplyTo = Own("reply_to", s.ReplyTo),
            TimeZone = Own("time_zone", s.TimeZone),
            QuietHours = own.Contains("quiet_hours.enabled") ? (s.QuietHours?.Enabled == true ? "on" : "off") : "",
            QuietStart = Own("quiet_hours.start", s.QuietHours?.Start),
            QuietEnd = Own("quiet_hours.end", s.QuietHours?.End),
            FrequencyCap = own.Contains("frequency_cap") && s.FrequencyCap is { } cap ? Delays.Format(cap) : "",
            AttributionWindow = own.Contains("attribution_window") && s.AttributionWindow is { } window ? Delays.Format(window) : "",
            LogoUrl = Own("brand.logo_url", s.Brand?.LogoUrl),
            Colour = Own("brand.colour", s.Brand?.Colour),
            Currency = Own("brand.currency", s.Brand?.Currency),
            Locale = Own("brand.locale", s.Brand?.Locale),
            AddressLine = Own("brand.address_line", s.Brand?.AddressLine),
            ClickTracking = own.Contains("click_tracking") ? (s.ClickTracking == true ? "on" : "off") : "",
        };
    }

    /// <summary>What to send, or each bad field's message (keys as the API names them), so nothing bad is sent.</summary>
    public (StoreSettingsValues? Values, Dictionary<string, string> Errors) ToValues()
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        Address(SenderAddress, "sender_address");
        Address(ReplyTo, "reply_to");
        if (Blank(TimeZone) is { } zone && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
        {
            errors["time_zone"] = $"\"{zone}\" is not a time zone; use an IANA name like Asia/Kolkata or Europe/London.";
        }
        var start = Time(QuietStart, "quiet_hours.start");
        var end = Time(QuietEnd, "quiet_hours.end");
        var cap = Duration(FrequencyCap, "frequency_cap");
        var window = Duration(AttributionWindow, "attribution_window");
        if (Blank(Colour) is { } colour && !ColourPattern().IsMatch(colour))
        {
            errors["brand.colour"] = "A colour is #rrggbb, like #4f46e5.";
        }
        if (Blank(LogoUrl) is { } logo && !(Uri.TryCreate(logo, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"))
        {
            errors["brand.logo_url"] = "The logo is a web address (https://…).";
        }
        if (Blank(Currency) is { } currency && !CurrencyPattern().IsMatch(currency.ToUpperInvariant()))
        {
            errors["brand.currency"] = "A currency is a three-letter code, like INR or USD.";
        }
        if (Blank(Locale) is { } locale && !IsCulture(locale))
        {
            errors["brand.locale"] = $"\"{locale}\" is not a locale; use one like en-IN or en-US.";
        }
        if (errors.Count > 0)
        {
            return (null, errors);
        }
        var quietHours = Blank(QuietHours) is null && start is null && end is null ? null : new QuietHoursSetting(Switch(QuietHours), start, end);
        var brand = new BrandSetting(Blank(LogoUrl), Blank(Colour)?.ToLowerInvariant(), Blank(Currency)?.ToUpperInvariant(), Blank(Locale), Blank(AddressLine));
        return (new StoreSettingsValues(Blank(SenderName), Blank(SenderAddress), Blank(ReplyTo), Blank(TimeZone), quietHours, cap, window,
            brand, Switch(ClickTracking)), errors);

        void Address(string value, string field)
        {
            if (Blank(value) is { } text && !(System.Net.Mail.MailAddress.TryCreate(text, out var parsed) && parsed.Address == text))
            {
                errors[field] = $"\"{text}\" is not an email address.";
            }
        }

        string? Time(string value, string field)
        {
            if (Blank(value) is not { } text)
            {
                return null;
            }
            if (TimeOnly.TryParseExact(text, ["H:mm", "HH:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
            {
                return time.ToString("HH:mm", CultureInfo.InvariantCulture);
            }
            errors[field] = "A time of day is hours and minutes, like 21:00.";
            return null;
        }

        TimeSpan? Duration(string value, string field)
        {
            if (Blank(value) is not { } text)
            {
                return null;
            }
            if (Delays.TryParse(text, out var span, out var error))
            {
                return span;
            }
            errors[field] = error!;
            return null;
        }
    }

    private static bool IsCulture(string name)
    {
        try
        {
            return !CultureInfo.GetCultureInfo(name, predefinedOnly: true).Equals(CultureInfo.InvariantCulture);
        }
        catch (CultureNotFoundException)
        {
            return false;
        }
    }

    private static bool? Switch(string value) => value switch { "on" => true, "off" => false, _ => null };

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    [GeneratedRegex("^#[0-9a-fA-F]{6}$")]
    private static partial Regex ColourPattern();

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyPattern();
}
