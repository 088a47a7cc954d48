using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FlexyPe.Ingest.Model;

namespace FlexyPe.Ingest.Parsing;

/// <summary>What arrived, before it is understood: the body and the parts of the request that say what it is.</summary>
public sealed record WebhookDelivery(
    JsonElement Body,
    string? HeaderEventId,
    string? HeaderVersion,
    string? PathKind,
    DateTimeOffset ReceivedAt);

/// <summary>
/// Normalizes every FlexyPe payload version into one <see cref="FlexyPeEvent"/>: the 2026-05 envelope
/// (<c>event_time, event_type, event_id, store, payload</c>), 2025-09 flat bodies, legacy unversioned bodies, and
/// versions not seen yet (read by shape). Lenient in what it reads; the only thing it cannot do without is an event id.
/// </summary>
public static class FlexyPeEventParser
{
    public const string Version202605 = "2026-05";
    public const string VersionLegacy = "legacy";

    /// <summary>
    /// The event id: the <c>X-Event-Id</c> header (the retry identity), else the body's <c>event_id</c>, else an id made
    /// from the body itself. FlexyPe's legacy pages document no event id at all; a retry repeats the same body, so its
    /// content id dedupes it, where refusing the delivery would lose the event after FlexyPe's three retries.
    /// </summary>
    public static string EventIdOf(WebhookDelivery delivery) =>
        Clean(delivery.HeaderEventId) ?? ((JsonElement?)delivery.Body).String("event_id", "eventId", "id") ?? ContentId(delivery.Body);

    /// <summary><c>content-</c> and the first 32 hex digits of the SHA-256 of the body as it came.</summary>
    public static string ContentId(JsonElement body)
        => "content-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body.GetRawText())))[..32];

    /// <summary>The store an event belongs to: its Shopify domain where given, else the store id FlexyPe uses.</summary>
    public static string StoreIdOf(JsonElement body)
    {
        JsonElement? root = body;
        var store = root.Object("store");
        var key = store.String("shopify_domain", "domain", "main_domain")
            ?? root.String("shopify_domain", "store_domain", "store_link", "shop", "shop_domain")
            ?? store.String("id")
            ?? root.String("merchant_id", "store_id");
        return key?.ToLowerInvariant() ?? "unknown";
    }

    public static FlexyPeEvent Parse(WebhookDelivery delivery, string eventId)
    {
        JsonElement? body = delivery.Body;
        var isEnvelope = body.Has("payload") && body.Object("payload") is not null;
        var data = isEnvelope ? body.Object("payload") : body;

        var version = Clean(delivery.HeaderVersion) ?? (isEnvelope ? Version202605 : VersionLegacy);
        // A type the body names but we do not know stays unknown: guessing from its shape could start a sequence
        // (an ORDER_REFUNDED with a customer is not a new customer).
        var named = body.String("event_type", "type", "event");
        var type = named is not null
            ? EventTypeResolver.FromName(named) ?? EventTypes.Unknown
            : EventTypeResolver.FromName(delivery.PathKind) ?? EventTypeResolver.FromShape(data);
        var storeId = StoreIdOf(delivery.Body);
        var customer = ReadCustomer(data);
        var cart = ReadCart(data);

        return new FlexyPeEvent
        {
            EventId = eventId,
            StoreId = storeId,
            Type = type,
            PayloadVersion = version,
            OccurredAt = body.Time("event_time", "timestamp", "occurred_at", "created_at")
                ?? data.Object("product_viewed", "collection_viewed").Time("timestamp")
                ?? data.Time("last_activity_at"),
            ReceivedAt = delivery.ReceivedAt,
            Store = ReadStore(body, data),
            Customer = customer,
            Checkout = type == EventTypes.AbandonedCheckout ? ReadCheckout(data, storeId, customer, cart) : null,
            Cart = cart.Count > 0 ? cart : null,
            Session = type == EventTypes.AbandonedSession ? ReadSession(data, storeId, customer, cart) : null,
            Product = ReadProduct(data.Object("product_viewed", "product")),
            Collection = ReadCollection(data.Object("collection_viewed", "collection")),
            Utm = ReadUtm(data),
            Device = ReadDevice(data),
        };
    }

    private static StoreInfo? ReadStore(JsonElement? body, JsonElement? data)
    {
        var store = body.Object("store");
        var info = new StoreInfo(
            store.String("id") ?? data.String("merchant_id", "store_id"),
            store.String("name") ?? data.String("store_name"),
            (store.String("shopify_domain") ?? data.String("shopify_domain", "store_domain", "store_link"))?.ToLowerInvariant(),
            store.String("main_domain")?.ToLowerInvariant());
        return info == new StoreInfo(null, null, null, null) ? null : info;
    }

    private static Customer? ReadCustomer(JsonElement? data)
    {
        var person = data.Object("user", "customer");
        if (person is null && !data.Has("email"))
        {
            return null;
        }
        person ??= data;

        var firstName = person.String("first_name", "firstName");
        var lastName = person.String("last_name", "lastName");
        var fullName = person.String("full_name", "name")
            ?? ((firstName ?? lastName) is not null ? string.Join(' ', new[] { firstName, lastName }.Where(n => n is not null)) : null);
        var countryCode = person.Object("address").String("country_code");

        return new Customer(
            ContactNormalizer.Email(person.String("email")),
            ContactNormalizer.Phone(
                person.String("phone_with_dial_code"),
                person.String("phone", "phone_no", "phone_number"),
                person.String("dial_code"),
                countryCode),
            firstName,
            lastName,
            fullName,
            data.String("shopify_customer_id") ?? person.String("shopify_customer_id"));
    }

    /// <summary>
    /// The most cart lines the normalized event keeps (the raw body keeps them all). Far more than a real cart holds; it
    /// bounds what one delivery becomes: each line is about 110 bytes normalized, so a 1 MB body of 60,000 array items
    /// would otherwise become 7 MB to store, hand off and hold in memory.
    /// </summary>
    public const int MaxCartLines = 500;

    private static List<CartLine> ReadCart(JsonElement? data)
    {
        var container = data.Object("checkout", "cart") ?? data;
        // A line is an object; a number, string or null among the items says nothing about what is in the cart.
        return container.Array("cart_items", "items", "line_items")
            .Items()
            .Where(item => item is { ValueKind: JsonValueKind.Object })
            .Take(MaxCartLines)
            .Select(item =>
            {
                var variant = item.Object("variant");
                return new CartLine(
                    item.String("title", "product_title", "name"),
                    variant.String("title") ?? item.String("variant_title"),
                    item.String("image", "image_url"),
                    item.Decimal("price") ?? variant.Decimal("price"),
                    item.Int("quantity"),
                    item.String("product_id"),
                    item.String("variant_id") ?? variant.String("variant_id", "id"),
                    item.String("handle"));
            })
            .ToList();
    }

    private static Checkout ReadCheckout(JsonElement? data, string storeId, Customer? customer, List<CartLine> cart)
    {
        var checkout = data.Object("checkout") ?? data;
        var url = checkout.String("checkout_url") ?? data.String("checkout_url");
        var key = checkout.String("checkout_id", "session_id", "checkout_session_id", "cart_token")
            ?? (data.Object("checkout") is { } nested ? ((JsonElement?)nested).String("id") : null)
            ?? FlxSessionOf(url)
            ?? StableKey("checkout", storeId, customer, cart);

        return new Checkout(
            key,
            (checkout.String("session_state", "status") ?? data.String("session_state"))?.ToUpperInvariant(),
            url,
            checkout.Decimal("total_payable", "total") ?? data.Decimal("total_payable"),
            checkout.Decimal("discount") ?? data.Decimal("discount"));
    }

    private static BrowsingSession ReadSession(JsonElement? data, string storeId, Customer? customer, List<CartLine> cart)
    {
        var pages = data.Array("pages")
            .Items()
            .Select(page => page is { ValueKind: JsonValueKind.String } s ? s.GetString() : page.String("url", "page_url", "href"))
            .OfType<string>()
            .ToList();
        var key = data.String("session_id", "browsing_session_id")
            ?? StableKey("session", storeId, customer, cart, pages.FirstOrDefault() ?? data.Object("metadata").String("landing_page"));

        return new BrowsingSession(key, pages, data.String("last_page_visited") ?? pages.LastOrDefault(), data.Time("last_activity_at"));
    }

    private static ViewedProduct? ReadProduct(JsonElement? product) => product is null
        ? null
        : new ViewedProduct(
            product.String("product_id", "id"),
            product.String("variant_id"),
            product.String("title", "name"),
            product.String("handle"),
            product.String("image", "image_url"),
            product.Time("timestamp", "viewed_at"));

    private static ViewedCollection? ReadCollection(JsonElement? collection) => collection is null
        ? null
        : new ViewedCollection(
            collection.String("collection_id", "id"),
            collection.String("name", "title"),
            collection.String("handle"),
            collection.String("image", "image_url"),
            collection.Time("timestamp", "viewed_at"));

    /// <summary>The device class from <c>client_meta.user_agent</c> (at the top of the payload, or inside its checkout).</summary>
    private static Device? ReadDevice(JsonElement? data)
    {
        var clientMeta = data.Object("client_meta") ?? data.Object("checkout").Object("client_meta");
        return DeviceClassifier.Classify(clientMeta.String("user_agent", "userAgent")) is { } deviceClass ? new Device(deviceClass) : null;
    }

    /// <summary>UTM values from <c>metadata.utm</c> (a list of name/value pairs, or an object) or top-level <c>utm_*</c>.</summary>
    private static Dictionary<string, string>? ReadUtm(JsonElement? data)
    {
        var utm = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var metadata = data.Object("metadata");
        foreach (var pair in metadata.Array("utm").Items())
        {
            if (pair.String("name") is { } name && pair.String("value") is { } value)
            {
                utm[name] = value;
            }
        }
        if (metadata.Object("utm") is { } utmObject)
        {
            foreach (var property in utmObject.EnumerateObject())
            {
                if (((JsonElement?)utmObject).String(property.Name) is { } value)
                {
                    utm[property.Name] = value;
                }
            }
        }
        if (data is { ValueKind: JsonValueKind.Object } obj)
        {
            foreach (var property in obj.EnumerateObject().Where(p => p.Name.StartsWith("utm_", StringComparison.OrdinalIgnoreCase)))
            {
                if (data.String(property.Name) is { } value)
                {
                    utm[property.Name] = value;
                }
            }
        }
        return utm.Count > 0 ? utm : null;
    }

    /// <summary>The <c>flx_s</c> query value of FlexyPe's checkout URL: FlexyPe's own checkout session id.</summary>
    private static string? FlxSessionOf(string? checkoutUrl)
    {
        if (!Uri.TryCreate(checkoutUrl, UriKind.Absolute, out var uri))
        {
            return null;
        }
        return Clean(System.Web.HttpUtility.ParseQueryString(uri.Query)["flx_s"]);
    }

    /// <summary>A key that stays the same across deliveries for the same store, shopper and cart.</summary>
    private static string StableKey(string kind, string storeId, Customer? customer, List<CartLine> cart, string? extra = null)
    {
        var contact = customer?.Email ?? customer?.Phone ?? "";
        var lines = string.Join(',', cart
            .Select(line => $"{line.VariantId ?? line.ProductId ?? line.Title}x{line.Quantity ?? 1}")
            .Order(StringComparer.Ordinal));
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{kind}|{storeId}|{contact}|{lines}|{extra}"));
        return $"h_{Convert.ToHexStringLower(hash)[..32]}";
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
