using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bogus;

namespace FlexyPe.Simulator.Generation;

/// <summary>
/// Writes one shopper's deliveries in one payload version, with the field names of docs/flexype-webhooks.md. Where
/// that reference is cut (the 2026-05 ACR after <c>payload.user</c>), the body carries the 2025-09 checkout fields, as
/// Ingest's own test samples do.
/// </summary>
public sealed class PayloadWriter(string version, Store store, Shopper shopper, Faker faker)
{
    private static readonly string[] UtmSources = ["Facebook_Mobile_Reels", "Instagram_Stories", "google", "newsletter", "whatsapp"];
    private static readonly string[] UtmMediums = ["Paid_Social", "cpc", "email", "organic"];

    public string Version => version;
    public string StoreDomain => store.ShopifyDomain;
    public string? Email => shopper.Email;

    /// <summary>Product and collection views are documented for 2026-05 only.</summary>
    public bool HasBrowsingEvents => version == PayloadVersions.V2026_05;

    public (string, string) ProductViewed(string eventId, DateTimeOffset time, Product product) => (eventId, Envelope(eventId, "PRODUCT_VIEWED", time, new JsonObject
    {
        ["user"] = User2026(),
        ["product_viewed"] = new JsonObject
        {
            ["product_id"] = product.ProductId,
            ["variant_id"] = product.VariantId,
            ["title"] = product.Title,
            ["handle"] = product.Handle,
            ["image"] = product.Image,
            ["timestamp"] = Iso(time),
        },
    }));

    public (string, string) CollectionViewed(string eventId, DateTimeOffset time, Collection collection) => (eventId, Envelope(eventId, "COLLECTION_VIEWED", time, new JsonObject
    {
        ["user"] = User2026(),
        ["collection_viewed"] = new JsonObject
        {
            ["collection_id"] = collection.CollectionId,
            ["name"] = collection.Name,
            ["handle"] = collection.Handle,
            ["image"] = collection.Image,
            ["timestamp"] = Iso(time),
        },
    }));

    public (string, string) AbandonedSession(string eventId, DateTimeOffset time, DateTimeOffset lastActivity, IReadOnlyList<string> pages, IReadOnlyList<CartLine> cart)
    {
        var items = new JsonArray(cart.Select(l => (JsonNode)new JsonObject
        {
            ["product_id"] = l.Product.ProductId,
            ["variant_id"] = l.Product.VariantId,
            ["quantity"] = l.Quantity,
            ["title"] = l.Product.Title,
            ["image"] = l.Product.Image,
            ["price"] = l.Product.Price,
        }).ToArray());
        var session = new JsonObject
        {
            ["cart_items"] = items,
            ["client_meta"] = ClientMeta(),
            ["metadata"] = Metadata(pages[0]),
            ["pages"] = new JsonArray(pages.Select(p => (JsonNode)JsonValue.Create(p)).ToArray()),
            ["last_page_visited"] = pages[^1],
            ["last_activity_at"] = Iso(lastActivity),
        };

        if (version == PayloadVersions.V2026_05)
        {
            var payload = new JsonObject { ["user"] = User2026() };
            foreach (var (key, value) in session.ToList())
            {
                session.Remove(key);
                payload[key] = value;
            }
            return (eventId, Envelope(eventId, "ABANDONED_SESSION", time, payload));
        }

        // 2025-09 and legacy: a flat body, identified only by the X-Event-Id header.
        var flat = new JsonObject
        {
            ["merchant_id"] = store.Id,
            ["shopify_domain"] = store.ShopifyDomain,
            ["user"] = new JsonObject
            {
                ["full_name"] = FullName,
                ["phone"] = shopper.Phone,
                ["dial_code"] = shopper.DialCode,
                ["email"] = shopper.Email,
            },
        };
        foreach (var (key, value) in session.ToList())
        {
            session.Remove(key);
            flat[key] = value;
        }
        return (eventId, Write(flat));
    }

    public (string, string) AbandonedCheckout(string eventId, DateTimeOffset time, string sessionId, string state, IReadOnlyList<CartLine> cart, decimal cartDiscount)
    {
        var items = new JsonArray(cart.Select(l => (JsonNode)new JsonObject
        {
            ["image"] = l.Product.Image,
            ["title"] = l.Product.VariantTitle,
            ["discount"] = l.Discount,
            ["price"] = l.Product.Price,
            ["quantity"] = l.Quantity,
            ["variant"] = new JsonObject
            {
                ["title"] = l.Product.VariantTitle,
                ["price"] = l.Product.Price,
                ["variant_id"] = l.Product.VariantId,
                ["compare_at_price"] = l.Product.CompareAtPrice,
            },
            ["product_id"] = l.Product.ProductId,
            ["variant_id"] = l.Product.VariantId,
            ["grams"] = 0,
            ["handle"] = l.Product.Handle,
            ["total_price"] = l.Product.Price * l.Quantity,
            ["sub_total_price"] = l.Product.Price * l.Quantity,
            ["total_discount"] = l.Discount,
            ["single_variant"] = l.Product.VariantTitle == "Default Title",
        }).ToArray());
        var total = cart.Sum(l => l.Product.Price * l.Quantity) - cartDiscount;
        var checkout = new JsonObject
        {
            ["cart_items"] = items,
            ["checkout_url"] = $"https://{store.ShopifyDomain}/?flx_s={sessionId}",
            ["discount"] = cartDiscount,
            ["total_payable"] = total,
            ["session_state"] = state,
        };

        switch (version)
        {
            case PayloadVersions.V2026_05:
                var payload = new JsonObject { ["user"] = User2026() };
                foreach (var (key, value) in checkout.ToList())
                {
                    checkout.Remove(key);
                    payload[key] = value;
                }
                payload["client_meta"] = ClientMeta();
                payload["metadata"] = Metadata($"https://{store.MainDomain}/");
                return (eventId, Envelope(eventId, "ACR_CHECKOUT", time, payload));

            case PayloadVersions.V2025_09:
                var flat = new JsonObject { ["shopify_domain"] = store.ShopifyDomain };
                foreach (var (key, value) in checkout.ToList())
                {
                    checkout.Remove(key);
                    flat[key] = value;
                }
                flat["user"] = new JsonObject
                {
                    ["full_name"] = FullName,
                    ["email"] = shopper.Email,
                    ["phone"] = shopper.Phone,
                    ["dial_code"] = shopper.DialCode,
                };
                flat["client_meta"] = ClientMeta();
                flat["metadata"] = Metadata($"https://{store.MainDomain}/");
                return (eventId, Write(flat));

            default:
                // Legacy: the reference's example field order, a user with phone and address and no email.
                checkout["user"] = new JsonObject
                {
                    ["phone_no"] = shopper.Phone,
                    ["dial_code"] = shopper.DialCode,
                    ["address"] = new JsonObject
                    {
                        ["address1"] = faker.Address.StreetAddress(),
                        ["address2"] = "",
                        ["city"] = shopper.City,
                        ["state"] = shopper.State,
                        ["country"] = "India",
                        ["state_code"] = shopper.State[..2].ToUpperInvariant(),
                        ["country_code"] = "IN",
                        ["postal_code"] = shopper.PostalCode,
                    },
                };
                checkout["store_link"] = store.ShopifyDomain;
                checkout["client_meta"] = ClientMeta();
                checkout["analytics"] = new JsonObject
                {
                    ["fb"] = new JsonObject
                    {
                        ["fbc"] = $"fb.1.{time.ToUnixTimeMilliseconds()}.{faker.Random.Long(1_000_000_000, 9_999_999_999)}",
                        ["fbp"] = $"fb.1.{time.ToUnixTimeMilliseconds() - 86_400_000}.{faker.Random.Long(10_000_000_000, 99_999_999_999)}",
                    },
                };
                checkout["metadata"] = Metadata($"https://{store.MainDomain}/");
                return (eventId, Write(checkout));
        }
    }

    public (string, string) NewCustomer(string eventId, DateTimeOffset time) => version switch
    {
        PayloadVersions.V2026_05 => (eventId, Envelope(eventId, faker.Random.Bool(0.8f) ? "CUSTOMER_CREATED" : "NEW_CUSTOMER", time, new JsonObject
        {
            ["user"] = User2026(),
            ["shopify_customer_id"] = shopper.ShopifyCustomerId,
        })),
        PayloadVersions.V2025_09 => (eventId, Write(new JsonObject
        {
            ["store_domain"] = store.ShopifyDomain,
            ["shopify_domain"] = store.ShopifyDomain,
            ["customer"] = Customer(shopper.Phone),
        })),
        _ => (eventId, Write(new JsonObject
        {
            ["event_id"] = eventId,
            ["event_type"] = "new_customer",
            ["timestamp"] = Iso(time),
            ["store_domain"] = store.ShopifyDomain,
            ["customer"] = Customer("+" + shopper.DialCode + shopper.Phone),
        })),
    };

    private string FullName => $"{shopper.FirstName} {shopper.LastName}";

    private JsonObject Customer(string phone) => new()
    {
        ["shopify_customer_id"] = shopper.ShopifyCustomerId,
        ["first_name"] = shopper.FirstName,
        ["last_name"] = shopper.LastName,
        ["email"] = shopper.Email,
        ["phone"] = phone,
        ["dial_code"] = shopper.DialCode,
    };

    private JsonObject User2026() => new()
    {
        ["email"] = shopper.Email,
        ["full_name"] = FullName,
        ["first_name"] = shopper.FirstName,
        ["last_name"] = shopper.LastName,
        ["dial_code"] = shopper.DialCode,
        ["phone"] = shopper.Phone,
        ["phone_with_dial_code"] = "+" + shopper.DialCode + shopper.Phone,
    };

    private JsonObject ClientMeta() => new()
    {
        ["client_ip"] = faker.Internet.Ip(),
        ["http_referer"] = faker.PickRandom("https://www.instagram.com/", "https://www.google.com/", "https://l.facebook.com/", ""),
        ["user_agent"] = faker.Internet.UserAgent(),
    };

    private JsonObject Metadata(string landingPage) => new()
    {
        ["landing_page"] = landingPage,
        ["utm"] = new JsonArray(
            new JsonObject { ["name"] = "utm_source", ["value"] = faker.PickRandom(UtmSources) },
            new JsonObject { ["name"] = "utm_medium", ["value"] = faker.PickRandom(UtmMediums) },
            new JsonObject { ["name"] = "utm_campaign", ["value"] = "SM_" + faker.Commerce.Department().Replace(' ', '_') + "_" + faker.Random.Int(1, 40) }),
    };

    private string Envelope(string eventId, string eventType, DateTimeOffset time, JsonObject payload) => Write(new JsonObject
    {
        ["event_time"] = Iso(time),
        ["event_type"] = eventType,
        ["event_id"] = eventId,
        ["store"] = new JsonObject
        {
            ["id"] = store.Id,
            ["name"] = store.Name,
            ["shopify_domain"] = store.ShopifyDomain,
            ["main_domain"] = store.MainDomain,
        },
        ["payload"] = payload,
    });

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    // FlexyPe's examples write "+91…" and "&" as they are, not as \u002B escapes.
    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Write(JsonObject body) => body.ToJsonString(JsonOptions);
}
