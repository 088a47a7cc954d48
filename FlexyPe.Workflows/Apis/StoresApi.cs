using System.Globalization;
using System.Net.Mail;
using System.Text.RegularExpressions;
using FlexyPe.Workflows.Assistant;
using FlexyPe.Workflows.Infrastructure;
using FlexyPe.Workflows.Model;
using FlexyPe.Workflows.Stores;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FlexyPe.Workflows.Apis;

public sealed record StoreSummary(string StoreId, string? Name, bool HasSettings, DateTimeOffset FirstSeenAt);

public sealed record QuietHoursView(bool Enabled, string Start, string End);

public sealed record BrandView(string Name, string? LogoUrl, string Colour, string Currency, string Locale, string? AddressLine);

/// <summary>The holdout and the discount decisions of a store (docs/uplift.md): shares from 0 to 1.</summary>
public sealed record UpliftSettingsView(double HoldoutShare, double ExplorationShare, double MarginKept, double OfferCap);

/// <summary>What the copy assistant is told of the store, and what it may spend a day.</summary>
public sealed record AssistantSettingsView(string Language, string? BrandVoice, IReadOnlyList<string> BannedPhrases, long DailyTokenBudget);

public sealed record SettingsView(
    string SenderName, string? SenderAddress, string? ReplyTo, string TimeZone, QuietHoursView QuietHours,
    TimeSpan FrequencyCap, TimeSpan AttributionWindow, BrandView Brand, bool ClickTracking,
    UpliftSettingsView Uplift, AssistantSettingsView Assistant);

public sealed record StoreSettingsView(
    string StoreId, SettingsView Settings, IReadOnlyList<string> Overridden, DateTimeOffset? UpdatedAt, string? UpdatedBy);

public sealed record QuietHoursInput(bool? Enabled, string? Start, string? End);

public sealed record BrandInput(string? LogoUrl, string? Colour, string? Currency, string? Locale, string? AddressLine);

public sealed record UpliftSettingsInput(double? HoldoutShare, double? ExplorationShare, double? MarginKept, double? OfferCap);

public sealed record AssistantSettingsInput(string? Language, string? BrandVoice, IReadOnlyList<string?>? BannedPhrases, long? DailyTokenBudget);

/// <summary>A store's settings as PUT: every field nullable, null meaning "use the default".</summary>
public sealed record StoreSettingsInput(
    string? SenderName, string? SenderAddress, string? ReplyTo, string? TimeZone, QuietHoursInput? QuietHours,
    TimeSpan? FrequencyCap, TimeSpan? AttributionWindow, BrandInput? Brand, bool? ClickTracking,
    UpliftSettingsInput? Uplift = null, AssistantSettingsInput? Assistant = null);

/// <summary>The stores Workflows knows and their settings, edited at run time (docs/workflows.md, "Stores and their settings").</summary>
public static partial class StoresApi
{
    private const int MaxBannedPhrases = 200;
    private const int MaxBannedPhraseLength = 200;
    private const int MaxBrandVoiceLength = 4_000;
    private const int MaxLanguageLength = 100;

    private static readonly HashSet<string> Currencies = CultureInfo.GetCultures(CultureTypes.SpecificCultures)
        .Select(culture => new RegionInfo(culture.Name).ISOCurrencySymbol)
        .ToHashSet(StringComparer.Ordinal);

    public static RouteGroupBuilder MapStoresApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/stores").RequireAdminApiKey().WithTags("Stores");
        api.MapGet("/", ListAsync).WithSummary("Stores Workflows has had events from, and those with settings.");
        api.MapGet("/{storeId}/settings", GetAsync).WithSummary("A store's effective settings, and which of them it set itself.");
        api.MapPut("/{storeId}/settings", PutAsync).WithSummary("Saves a store's settings; a null field falls back to the default.");
        return api;
    }

    public static async Task<Ok<List<StoreSummary>>> ListAsync(WorkflowsDbContext db, CancellationToken ct)
    {
        var stores = await db.Stores.AsNoTracking()
            .OrderBy(s => s.StoreId)
            .Select(s => new StoreSummary(s.StoreId, s.Name, db.StoreSettings.Any(x => x.StoreId == s.StoreId), s.FirstSeenAt))
            .ToListAsync(ct);
        return TypedResults.Ok(stores);
    }

    public static async Task<Results<Ok<StoreSettingsView>, ProblemHttpResult>> GetAsync(
        string storeId, WorkflowsDbContext db, IOptions<WorkflowsOptions> options, IOptions<AssistantOptions> assistant, CancellationToken ct)
    {
        if (await db.Stores.AsNoTracking().FirstOrDefaultAsync(s => s.StoreId == storeId, ct) is not { } store)
        {
            return UnknownStore(storeId);
        }
        var row = await db.StoreSettings.AsNoTracking().FirstOrDefaultAsync(s => s.StoreId == storeId, ct);
        return TypedResults.Ok(View(store, row, options.Value, assistant.Value));
    }

    public static async Task<Results<Ok<StoreSettingsView>, ValidationProblem, ProblemHttpResult>> PutAsync(
        string storeId, StoreSettingsInput input, HttpRequest request, WorkflowsDbContext db, StoreSettingsCache cache,
        IOptions<WorkflowsOptions> options, IOptions<AssistantOptions> assistant, TimeProvider time, CancellationToken ct)
    {
        if (await db.Stores.AsNoTracking().FirstOrDefaultAsync(s => s.StoreId == storeId, ct) is not { } store)
        {
            return UnknownStore(storeId);
        }
        var errors = Validate(input, out var quietStart, out var quietEnd);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The settings were not saved.");
        }

        var row = await db.StoreSettings.FirstOrDefaultAsync(s => s.StoreId == storeId, ct);
        if (row is null)
        {
            row = new StoreSettings { StoreId = storeId };
            db.StoreSettings.Add(row);
        }
        row.SenderName = Blank(input.SenderName);
        row.SenderAddress = Blank(input.SenderAddress);
        row.ReplyTo = Blank(input.ReplyTo);
        row.TimeZone = Blank(input.TimeZone);
        row.QuietHoursEnabled = input.QuietHours?.Enabled;
        row.QuietHoursStart = quietStart;
        row.QuietHoursEnd = quietEnd;
        row.FrequencyCap = input.FrequencyCap;
        row.AttributionWindow = input.AttributionWindow;
        row.LogoUrl = Blank(input.Brand?.LogoUrl);
        row.BrandColour = Blank(input.Brand?.Colour)?.ToLowerInvariant();
        row.Currency = Blank(input.Brand?.Currency)?.ToUpperInvariant();
        row.Locale = Blank(input.Brand?.Locale);
        row.AddressLine = Blank(input.Brand?.AddressLine);
        row.ClickTracking = input.ClickTracking;
        // A client that predates these sections (sends neither) leaves them as they are; a section sent replaces its own.
        if (input.Uplift is { } uplift)
        {
            row.HoldoutShare = uplift.HoldoutShare;
            row.ExplorationShare = uplift.ExplorationShare;
            row.MarginKept = uplift.MarginKept;
            row.OfferCap = uplift.OfferCap;
        }
        if (input.Assistant is { } voice)
        {
            row.Language = Blank(voice.Language);
            row.BrandVoice = Blank(voice.BrandVoice);
            row.BannedPhrases = voice.BannedPhrases is { } phrases
                ? [.. phrases.Select(Blank).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase)]
                : null;
            row.DailyTokenBudget = voice.DailyTokenBudget;
        }
        row.UpdatedAt = time.GetUtcNow();
        row.UpdatedBy = Actor.Of(request);
        await db.SaveChangesAsync(ct);
        cache.Forget(storeId);
        return TypedResults.Ok(View(store, row, options.Value, assistant.Value));
    }

    private static Dictionary<string, string[]> Validate(StoreSettingsInput input, out TimeOnly? quietStart, out TimeOnly? quietEnd)
    {
        var errors = new Dictionary<string, string[]>();
        quietStart = quietEnd = null;
        if (Blank(input.SenderAddress) is { } sender && !IsAddress(sender))
        {
            errors["sender_address"] = [$"'{sender}' is not an email address."];
        }
        if (Blank(input.ReplyTo) is { } replyTo && !IsAddress(replyTo))
        {
            errors["reply_to"] = [$"'{replyTo}' is not an email address."];
        }
        if (Blank(input.TimeZone) is { } zone && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
        {
            errors["time_zone"] = [$"'{zone}' is not a time zone; use an IANA name such as Asia/Kolkata."];
        }
        if (Blank(input.QuietHours?.Start) is { } start)
        {
            quietStart = TimeOnly.TryParseExact(start, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var value) ? value : null;
            if (quietStart is null)
            {
                errors["quiet_hours.start"] = [$"'{start}' is not a time of day (HH:mm)."];
            }
        }
        if (Blank(input.QuietHours?.End) is { } end)
        {
            quietEnd = TimeOnly.TryParseExact(end, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var value) ? value : null;
            if (quietEnd is null)
            {
                errors["quiet_hours.end"] = [$"'{end}' is not a time of day (HH:mm)."];
            }
        }
        if (input.FrequencyCap < TimeSpan.Zero)
        {
            errors["frequency_cap"] = ["The frequency cap cannot be negative (zero turns it off)."];
        }
        if (input.AttributionWindow <= TimeSpan.Zero)
        {
            errors["attribution_window"] = ["The attribution window must be longer than zero."];
        }
        if (Blank(input.Brand?.LogoUrl) is { } logo
            && !(Uri.TryCreate(logo, UriKind.Absolute, out var logoUri) && logoUri.Scheme is "https" or "http"))
        {
            errors["brand.logo_url"] = ["The logo must be an http(s) address."];
        }
        if (Blank(input.Brand?.Colour) is { } colour && !Colour().IsMatch(colour))
        {
            errors["brand.colour"] = [$"'{colour}' is not a colour of the form #rrggbb."];
        }
        if (Blank(input.Brand?.Currency) is { } currency && !Currencies.Contains(currency.ToUpperInvariant()))
        {
            errors["brand.currency"] = [$"'{currency}' is not an ISO 4217 currency code (INR, USD, EUR, …)."];
        }
        if (Blank(input.Brand?.Locale) is { } locale && !IsCulture(locale))
        {
            errors["brand.locale"] = [$"'{locale}' is not a locale (en-IN, en-US, hi-IN, …)."];
        }
        // The ranges of Uplift.UpliftSettings.Problem(), field by field.
        void Share(string field, double? value, double low, double high, bool lowOpen = false)
        {
            if (value is { } v && (double.IsNaN(v) || (lowOpen ? v <= low : v < low) || v > high))
            {
                errors[field] = [string.Create(CultureInfo.InvariantCulture, $"{field.Split('.')[^1]} must be {(lowOpen ? "above" : "at least")} {low} and at most {high} (a fraction: 0.1 is 10%).")];
            }
        }
        Share("uplift.holdout_share", input.Uplift?.HoldoutShare, 0, 1);
        Share("uplift.exploration_share", input.Uplift?.ExplorationShare, 0, 0.5);
        Share("uplift.margin_kept", input.Uplift?.MarginKept, 0, 1, lowOpen: true);
        Share("uplift.offer_cap", input.Uplift?.OfferCap, 0, 1);
        if (Blank(input.Assistant?.Language) is { Length: > MaxLanguageLength })
        {
            errors["assistant.language"] = [$"The language is at most {MaxLanguageLength} characters (a name such as 'Hindi' or a tag such as 'hi-IN')."];
        }
        if (Blank(input.Assistant?.BrandVoice) is { Length: > MaxBrandVoiceLength })
        {
            errors["assistant.brand_voice"] = [$"The brand-voice notes are at most {MaxBrandVoiceLength:N0} characters."];
        }
        if (input.Assistant?.BannedPhrases is { } banned)
        {
            if (banned.Count > MaxBannedPhrases)
            {
                errors["assistant.banned_phrases"] = [$"At most {MaxBannedPhrases} banned phrases."];
            }
            else if (banned.FirstOrDefault(p => Blank(p) is { Length: > MaxBannedPhraseLength }) is { } tooLong)
            {
                errors["assistant.banned_phrases"] = [$"A banned phrase is at most {MaxBannedPhraseLength} characters ('{tooLong[..40]}…' is longer)."];
            }
        }
        if (input.Assistant?.DailyTokenBudget < 0)
        {
            errors["assistant.daily_token_budget"] = ["The daily token budget cannot be negative (zero turns the assistant off for the store)."];
        }
        return errors;
    }

    private static StoreSettingsView View(Store store, StoreSettings? row, WorkflowsOptions options, AssistantOptions assistant)
    {
        var effective = StoreSettingsCatalog.Effective(store.StoreId, row, store.Name, options);
        var overridden = new List<string>();
        void Mark(string name, object? value)
        {
            if (value is not null)
            {
                overridden.Add(name);
            }
        }
        Mark("sender_name", row?.SenderName);
        Mark("sender_address", row?.SenderAddress);
        Mark("reply_to", row?.ReplyTo);
        Mark("time_zone", row?.TimeZone);
        Mark("quiet_hours.enabled", row?.QuietHoursEnabled);
        Mark("quiet_hours.start", row?.QuietHoursStart);
        Mark("quiet_hours.end", row?.QuietHoursEnd);
        Mark("frequency_cap", row?.FrequencyCap);
        Mark("attribution_window", row?.AttributionWindow);
        Mark("brand.logo_url", row?.LogoUrl);
        Mark("brand.colour", row?.BrandColour);
        Mark("brand.currency", row?.Currency);
        Mark("brand.locale", row?.Locale);
        Mark("brand.address_line", row?.AddressLine);
        Mark("click_tracking", row?.ClickTracking);
        Mark("uplift.holdout_share", row?.HoldoutShare);
        Mark("uplift.exploration_share", row?.ExplorationShare);
        Mark("uplift.margin_kept", row?.MarginKept);
        Mark("uplift.offer_cap", row?.OfferCap);
        Mark("assistant.language", row?.Language);
        Mark("assistant.brand_voice", row?.BrandVoice);
        Mark("assistant.banned_phrases", row?.BannedPhrases);
        Mark("assistant.daily_token_budget", row?.DailyTokenBudget);

        var quiet = effective.QuietHours;
        var brand = effective.Brand;
        return new StoreSettingsView(
            store.StoreId,
            new SettingsView(
                effective.SenderName, effective.SenderAddress, effective.ReplyTo, effective.TimeZone,
                new QuietHoursView(quiet.Enabled, quiet.Start.ToString("HH:mm", CultureInfo.InvariantCulture), quiet.End.ToString("HH:mm", CultureInfo.InvariantCulture)),
                effective.FrequencyCap, effective.AttributionWindow,
                new BrandView(brand.Name, brand.LogoUrl, brand.Colour, brand.Currency, brand.Locale, brand.AddressLine),
                effective.ClickTracking,
                new UpliftSettingsView(effective.Uplift.HoldoutShare, effective.Uplift.ExplorationShare, effective.Uplift.MarginKept, effective.Uplift.OfferCap),
                new AssistantSettingsView(effective.Voice.Language, effective.Voice.BrandVoice, effective.Voice.BannedPhrases,
                    effective.Voice.DailyTokenBudget ?? assistant.DailyTokenBudgetPerStore)),
            overridden, row?.UpdatedAt, row?.UpdatedBy);
    }

    internal static ProblemHttpResult UnknownStore(string storeId) => TypedResults.Problem(
        title: "Unknown store",
        detail: $"No event has arrived from a store '{storeId}' yet, so it has no settings to show or change.",
        statusCode: StatusCodes.Status404NotFound);

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static bool IsAddress(string value) => MailAddress.TryCreate(value, out var address) && address.Address == value;

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

    [GeneratedRegex("^#[0-9a-fA-F]{6}$")]
    private static partial Regex Colour();
}
