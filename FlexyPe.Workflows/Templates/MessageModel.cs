using System.Globalization;
using System.Text.Json;
using FlexyPe.Workflows.Stores;

namespace FlexyPe.Workflows.Templates;

/// <summary>
/// What a template sees: the normalized event (customer, cart, checkout, store, session) plus <c>checkout_url</c>,
/// <c>totals</c>, <c>store_name</c>, <c>recently_viewed.products</c> / <c>.collections</c>, <c>discount_code</c> and the
/// store's <c>brand</c> (name, logo_url, colour, currency, locale, address_line).
/// </summary>
public static class MessageModel
{
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
        model["cart"] = cart;
        model["checkout_url"] = checkout?.GetValueOrDefault("checkout_url");
        model["store_name"] = store?.GetValueOrDefault("name");
        model["totals"] = new Dictionary<string, object?>
        {
            ["total_payable"] = checkout?.GetValueOrDefault("total_payable"),
            ["discount"] = checkout?.GetValueOrDefault("discount"),
            ["subtotal"] = cart.OfType<Dictionary<string, object?>>()
                .Sum(line => AsDecimal(line.GetValueOrDefault("price")) * AsDecimal(line.GetValueOrDefault("quantity") ?? 1m)),
            ["item_count"] = cart.OfType<Dictionary<string, object?>>().Sum(line => AsDecimal(line.GetValueOrDefault("quantity") ?? 1m)),
        };
        model["recently_viewed"] = new Dictionary<string, object?>
        {
            ["products"] = Section(viewedProductEvents, "product", "product_id"),
            ["collections"] = Section(viewedCollectionEvents, "collection", "collection_id"),
        };
        model["discount_code"] = discountCode;
        model["brand"] = new Dictionary<string, object?>
        {
            ["name"] = brand.Name,
            ["logo_url"] = brand.LogoUrl,
            ["colour"] = brand.Colour,
            ["currency"] = brand.Currency,
            ["locale"] = brand.Locale,
            ["address_line"] = brand.AddressLine,
        };
        return model;
    }

    /// <summary>The <c>store_id</c> of a normalized event.</summary>
    public static string StoreIdOf(string eventJson)
    {
        using var document = JsonDocument.Parse(eventJson);
        return document.RootElement.TryGetProperty("store_id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString()! : "unknown";
    }

    /// <summary>The most recent distinct products (or collections) of the shopper's view events, newest first.</summary>
    private static List<object?> Section(IEnumerable<string> events, string section, string idField)
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
