using System.Globalization;
using System.Text.Json;
using FlexyPe.Workflows.Stores;

namespace FlexyPe.Workflows.Templates;

/// <summary>
/// What a template sees: the normalized event (customer, cart, checkout, store, session) plus <c>checkout_url</c>,
/// <c>store_url</c>, <c>totals</c>, <c>store_name</c>, <c>recently_viewed.products</c> / <c>.collections</c> /
/// <c>.not_in_cart</c>, <c>discount_code</c>, <c>unsubscribe_url</c> and the store's <c>brand</c> (name, logo_url, colour,
/// colour_text, currency, locale, address_line). Cart lines and viewed products carry a <c>url</c> on the store's domain.
/// </summary>
public static class MessageModel
{
    /// <summary>
    /// What <c>{{ unsubscribe_url }}</c> renders to. Workflows cannot make the signed link (Notifier holds the keys), so
    /// a template places this marker and Notifier replaces it with the shopper's own link when it composes the email;
    /// a template without it gets Notifier's footer link instead (docs/hand-offs.md).
    /// </summary>
    public const string UnsubscribeUrlPlaceholder = "%%unsubscribe_url%%";

    public static Dictionary<string, object?> Build(
        string eventJson,
        IEnumerable<string> viewedProductEvents,
        IEnumerable<string> viewedCollectionEvents,
        string? discountCode,
        StoreBrand brand)
    {
        using var document = JsonDocument.Parse(eventJson);
        var root = (Dictionary<string, object?>)ToObject(document.RootElement)!;
        var model = new Dictionary<string, object?>(root, StringComparer.Ordinal);

        var checkout = root.GetValueOrDefault("checkout") as Dictionary<string, object?>;
        var cart = root.GetValueOrDefault("cart") as List<object?> ?? [];
        var store = root.GetValueOrDefault("store") as Dictionary<string, object?>;
        var storeUrl = StoreUrl(store, root.GetValueOrDefault("store_id") as string);
        var lines = cart.OfType<Dictionary<string, object?>>().ToList();
        foreach (var line in lines)
        {
            line["url"] = ProductUrl(storeUrl, line.GetValueOrDefault("handle"), "products");
            line["line_total"] = AsDecimal(line.GetValueOrDefault("price")) * AsDecimal(line.GetValueOrDefault("quantity") ?? 1m);
        }
        var subtotal = lines.Sum(line => (decimal)line["line_total"]!);
        model["cart"] = cart;
        model["checkout_url"] = checkout?.GetValueOrDefault("checkout_url");
        model["store_url"] = storeUrl;
        model["store_name"] = store?.GetValueOrDefault("name");
        model["totals"] = new Dictionary<string, object?>
        {
            ["total_payable"] = checkout?.GetValueOrDefault("total_payable"),
            ["discount"] = checkout?.GetValueOrDefault("discount"),
            ["subtotal"] = subtotal,
            ["item_count"] = lines.Sum(line => AsDecimal(line.GetValueOrDefault("quantity") ?? 1m)),
            // What the shopper pays: FlexyPe's total when it sent one, else the cart's own sum.
            ["total"] = checkout?.GetValueOrDefault("total_payable") is { } payable ? AsDecimal(payable) : subtotal,
        };
        var products = Section(viewedProductEvents, "product", "product_id", storeUrl, "products");
        var inCart = lines.Select(line => line.GetValueOrDefault("product_id")?.ToString()).OfType<string>().ToHashSet(StringComparer.Ordinal);
        model["recently_viewed"] = new Dictionary<string, object?>
        {
            ["products"] = products,
            ["collections"] = Section(viewedCollectionEvents, "collection", "collection_id", storeUrl, "collections"),
            // "You might also like": what the shopper looked at and did not put in the cart.
            ["not_in_cart"] = products.OfType<Dictionary<string, object?>>()
                .Where(p => p.GetValueOrDefault("product_id")?.ToString() is not { } id || !inCart.Contains(id))
                .Cast<object?>().ToList(),
        };
        model["discount_code"] = discountCode;
        model["unsubscribe_url"] = UnsubscribeUrlPlaceholder;
        model["brand"] = new Dictionary<string, object?>
        {
            ["name"] = brand.Name,
            ["logo_url"] = brand.LogoUrl,
            ["colour"] = brand.Colour,
            ["colour_text"] = TextOn(brand.Colour),
            ["currency"] = brand.Currency,
            ["locale"] = brand.Locale,
            ["address_line"] = brand.AddressLine,
        };
        return model;
    }

    /// <summary>The storefront: the store's own domain, else its myshopify domain, else the store id when it is a domain.</summary>
    private static string? StoreUrl(Dictionary<string, object?>? store, string? storeId)
    {
        foreach (var candidate in new[] { store?.GetValueOrDefault("main_domain") as string, store?.GetValueOrDefault("shopify_domain") as string, storeId })
        {
            var host = candidate?.Trim();
            var scheme = host?.IndexOf("://", StringComparison.Ordinal) ?? -1;
            host = (scheme >= 0 ? host![(scheme + 3)..] : host)?.TrimEnd('/');
            if (!string.IsNullOrEmpty(host) && host.Contains('.', StringComparison.Ordinal) && Uri.CheckHostName(host) == UriHostNameType.Dns)
            {
                return "https://" + host.ToLowerInvariant();
            }
        }
        return null;
    }

    private static string? ProductUrl(string? storeUrl, object? handle, string kind)
        => storeUrl is null || handle is not string h || string.IsNullOrWhiteSpace(h) ? null : $"{storeUrl}/{kind}/{Uri.EscapeDataString(h.Trim())}";

    /// <summary>White or near-black, whichever reads better on the brand colour (WCAG relative luminance).</summary>
    public static string TextOn(string colour)
    {
        if (colour is not ['#', _, _, _, _, _, _] || !int.TryParse(colour.AsSpan(1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var rgb))
        {
            return "#ffffff";
        }
        static double Channel(int value)
        {
            var c = value / 255.0;
            return c <= 0.03928 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        }
        var luminance = 0.2126 * Channel(rgb >> 16 & 0xff) + 0.7152 * Channel(rgb >> 8 & 0xff) + 0.0722 * Channel(rgb & 0xff);
        // Contrast with white is 1.05 / (L + 0.05), with #111827 about (L + 0.05) / 0.0615: pick the larger.
        return 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.0615 ? "#ffffff" : "#111827";
    }

    /// <summary>The <c>store_id</c> of a normalized event.</summary>
    public static string StoreIdOf(string eventJson)
    {
        using var document = JsonDocument.Parse(eventJson);
        return document.RootElement.TryGetProperty("store_id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString()! : "unknown";
    }

    /// <summary>The most recent distinct products (or collections) of the shopper's view events, newest first.</summary>
    private static List<object?> Section(IEnumerable<string> events, string section, string idField, string? storeUrl, string kind)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var items = new List<object?>();
        foreach (var json in events)
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.TryGetProperty(section, out var element) && element.ValueKind == JsonValueKind.Object
                && ToObject(element) is Dictionary<string, object?> item)
            {
                var id = item.GetValueOrDefault(idField)?.ToString() ?? item.GetValueOrDefault("handle")?.ToString() ?? json;
                if (seen.Add(id))
                {
                    item["url"] = ProductUrl(storeUrl, item.GetValueOrDefault("handle"), kind);
                    items.Add(item);
                }
            }
        }
        return items;
    }

    private static decimal AsDecimal(object? value) => value switch
    {
        decimal d => d,
        null => 0m,
        _ => decimal.TryParse(value.ToString(), NumberStyles.Number, CultureInfo.InvariantCulture, out var parsed) ? parsed : 0m,
    };

    private static object? ToObject(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().ToDictionary(p => p.Name, p => ToObject(p.Value), StringComparer.Ordinal),
        JsonValueKind.Array => element.EnumerateArray().Select(ToObject).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetDecimal(out var d) ? d : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
