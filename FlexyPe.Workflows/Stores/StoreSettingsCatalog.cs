using System.Collections.Concurrent;
using FlexyPe.Workflows.Infrastructure;
using FlexyPe.Workflows.Model;
using FlexyPe.Workflows.Uplift;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FlexyPe.Workflows.Stores;

/// <summary>
/// Stores' settings as everything else reads them: the row a store saved, with every unset field filled from
/// configuration. Rows are cached for a few seconds, so a batch of due steps does not read them per step and an edit in
/// the console takes effect on every replica within <see cref="CacheFor"/>.
/// </summary>
public sealed class StoreSettingsCatalog(
    WorkflowsDbContext db, StoreSettingsCache cache, IOptions<WorkflowsOptions> options, TimeProvider time)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);

    /// <summary>The effective settings of each store.</summary>
    public async Task<Dictionary<string, EffectiveStoreSettings>> ForStoresAsync(IEnumerable<string> storeIds, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var ids = storeIds.Distinct(StringComparer.Ordinal).ToList();
        var missing = ids.Where(id => !cache.TryGet(id, now, out _)).ToList();
        if (missing.Count > 0)
        {
            var rows = await (
                from store in db.Stores.AsNoTracking()
                where missing.Contains(store.StoreId)
                join settings in db.StoreSettings.AsNoTracking() on store.StoreId equals settings.StoreId into saved
                from settings in saved.DefaultIfEmpty()
                select new { store.StoreId, store.Name, Settings = settings })
                .ToDictionaryAsync(r => r.StoreId, ct);
            foreach (var id in missing)
            {
                var row = rows.GetValueOrDefault(id);
                cache.Put(id, new StoreSettingsCache.Entry(row?.Name, row?.Settings), now + CacheFor);
            }
        }
        return ids.ToDictionary(id => id, id =>
        {
            cache.TryGet(id, now, out var entry);
            return Effective(id, entry?.Settings, entry?.Name, options.Value);
        });
    }

    public async Task<EffectiveStoreSettings> ForStoreAsync(string storeId, CancellationToken ct)
        => (await ForStoresAsync([storeId], ct))[storeId];

    /// <summary>A store's saved row over the configured defaults.</summary>
    public static EffectiveStoreSettings Effective(string storeId, StoreSettings? row, string? storeName, WorkflowsOptions options)
    {
        var defaults = options.StoreDefaults;
        var uplift = options.Uplift;
        var name = string.IsNullOrWhiteSpace(storeName) ? storeId : storeName;
        var locale = row?.Locale ?? defaults.Locale;
        return new EffectiveStoreSettings(
            storeId,
            row?.SenderName ?? defaults.SenderName ?? name,
            row?.SenderAddress ?? defaults.SenderAddress,
            row?.ReplyTo ?? defaults.ReplyTo,
            row?.TimeZone ?? options.StoreTimeZones.GetValueOrDefault(storeId) ?? options.QuietHours.TimeZone,
            new QuietHoursSetting(
                row?.QuietHoursEnabled ?? options.QuietHours.Enabled,
                row?.QuietHoursStart ?? options.QuietHours.Start,
                row?.QuietHoursEnd ?? options.QuietHours.End),
            row?.FrequencyCap ?? options.FrequencyCap,
            row?.AttributionWindow ?? options.AttributionWindow,
            new StoreBrand(
                name,
                row?.LogoUrl ?? defaults.LogoUrl,
                row?.BrandColour ?? defaults.BrandColour,
                row?.Currency ?? defaults.Currency,
                locale,
                row?.AddressLine ?? defaults.AddressLine),
            row?.ClickTracking ?? defaults.ClickTracking,
            new UpliftSettings
            {
                HoldoutShare = row?.HoldoutShare ?? uplift.HoldoutShare,
                ExplorationShare = row?.ExplorationShare ?? uplift.ExplorationShare,
                MarginKept = row?.MarginKept ?? uplift.MarginKept,
                OfferCap = row?.OfferCap ?? uplift.OfferCap,
                Thresholds = uplift.Thresholds.ToThresholds(),
            },
            new StoreVoice(
                row?.Language ?? defaults.Language ?? LanguageOf(locale),
                row?.BrandVoice ?? defaults.BrandVoice,
                row?.BannedPhrases ?? defaults.BannedPhrases,
                row?.DailyTokenBudget));
    }

    /// <summary>The English name of a locale's language and region ("English (India)"), what a model understands best.</summary>
    private static string LanguageOf(string locale)
    {
        try
        {
            return System.Globalization.CultureInfo.GetCultureInfo(locale).EnglishName;
        }
        catch (System.Globalization.CultureNotFoundException)
        {
            return "English";
        }
    }
}

/// <summary>The process-wide cache behind <see cref="StoreSettingsCatalog"/>: each store's name and saved row (null when none).</summary>
public sealed class StoreSettingsCache
{
    public sealed record Entry(string? Name, StoreSettings? Settings);

    private readonly ConcurrentDictionary<string, (Entry Entry, DateTimeOffset Until)> entries = new(StringComparer.Ordinal);

    public bool TryGet(string storeId, DateTimeOffset now, out Entry? entry)
    {
        if (entries.TryGetValue(storeId, out var cached) && cached.Until > now)
        {
            entry = cached.Entry;
            return true;
        }
        entry = null;
        return false;
    }

    public void Put(string storeId, Entry entry, DateTimeOffset until) => entries[storeId] = (entry, until);

    /// <summary>Forgets a store, so the next read in this process sees an edit at once.</summary>
    public void Forget(string storeId) => entries.TryRemove(storeId, out _);
}
