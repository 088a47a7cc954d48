using System.Collections.Concurrent;
using System.Globalization;

namespace FlexyPe.Workflows.Templates;

/// <summary>
/// An amount in a store's currency written the way the store's locale writes money: <c>₹2,198.00</c> for INR in
/// en-IN, <c>$2,198.00</c> for USD in en-US, <c>2.198,00 €</c> for EUR in de-DE. FlexyPe's amounts carry no currency
/// code; they are in major units of the store's currency.
/// </summary>
public static class MoneyFormat
{
    public const string DefaultCurrency = "INR";
    public const string DefaultLocale = "en-IN";

    private static readonly ConcurrentDictionary<(string Currency, string Locale), NumberFormatInfo> Formats = new();

    /// <summary>The specific cultures whose region pays in each currency (ISO 4217), read once from ICU.</summary>
    private static readonly Lazy<ILookup<string, CultureInfo>> CulturesByCurrency = new(() =>
        CultureInfo.GetCultures(CultureTypes.SpecificCultures)
            .Select(culture => (Culture: culture, Currency: RegionOf(culture)?.ISOCurrencySymbol))
            .Where(c => c.Currency is not null)
            .ToLookup(c => c.Currency!, c => c.Culture, StringComparer.OrdinalIgnoreCase));

    public static string Format(decimal amount, string? currency, string? locale)
        => amount.ToString("C", FormatFor(
            string.IsNullOrWhiteSpace(currency) ? DefaultCurrency : currency.Trim().ToUpperInvariant(),
            string.IsNullOrWhiteSpace(locale) ? DefaultLocale : locale.Trim()));

    private static NumberFormatInfo FormatFor(string currency, string locale) => Formats.GetOrAdd((currency, locale), static key =>
    {
        var culture = CultureOrDefault(key.Locale);
        var format = (NumberFormatInfo)culture.NumberFormat.Clone();
        if (!string.Equals(RegionOf(culture)?.ISOCurrencySymbol, key.Currency, StringComparison.OrdinalIgnoreCase))
        {
            // The locale's grouping and pattern with the currency's own symbol and decimals (yen have none), taken from
            // a culture that pays in it, in the locale's language when there is one (en-IE for euros in English).
            var home = CulturesByCurrency.Value[key.Currency]
                .OrderByDescending(c => c.TwoLetterISOLanguageName == culture.TwoLetterISOLanguageName)
                .ThenByDescending(c => c.TwoLetterISOLanguageName == "en")
                .ThenBy(c => c.Name, StringComparer.Ordinal)
                .FirstOrDefault();
            format.CurrencySymbol = home?.NumberFormat.CurrencySymbol ?? key.Currency;
            format.CurrencyDecimalDigits = home?.NumberFormat.CurrencyDecimalDigits ?? 2;
        }
        return NumberFormatInfo.ReadOnly(format);
    });

    private static CultureInfo CultureOrDefault(string name)
    {
        try
        {
            return CultureInfo.GetCultureInfo(name);
        }
        catch (CultureNotFoundException)
        {
            // Settings refuse unknown locales; a stale one still formats, the Indian way.
            return CultureInfo.GetCultureInfo(DefaultLocale);
        }
    }

    private static RegionInfo? RegionOf(CultureInfo culture)
    {
        try
        {
            return culture.IsNeutralCulture || culture.Name.Length == 0 ? null : new RegionInfo(culture.Name);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
