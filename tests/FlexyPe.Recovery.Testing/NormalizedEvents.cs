using System.Text.Json.Nodes;

namespace FlexyPe.Recovery.Testing;

/// <summary>Normalized events exactly as Ingest sends them (docs/hand-offs.md), each test on its own store.</summary>
public sealed class NormalizedEvents
{
    public string StoreId { get; } = $"store-{Guid.NewGuid():N}.myshopify.com";

    public static string NewEmail() => $"shopper-{Guid.NewGuid():N}@example.com";

    public static JsonArray Cart(string title, decimal price = 630, int quantity = 1) =>
    [
        new JsonObject
        {
            ["title"] = title, ["variant_title"] = "400gms / Gluten-Free", ["image"] = "https://cdn.example.com/item.png",
            ["price"] = price, ["quantity"] = quantity, ["product_id"] = "7516974022740", ["variant_id"] = "41564857663572",
            ["handle"] = "item",
        },
    ];

    public JsonObject AbandonedCheckout(
        string checkoutKey, string? email, string sessionState = "ADDRESS_LOADED", JsonArray? cart = null,
        decimal totalPayable = 630, DateTimeOffset? occurredAt = null, string firstName = "John")
        => Event("abandoned_checkout", email, occurredAt, firstName, e =>
        {
            e["checkout"] = new JsonObject
            {
                ["key"] = checkoutKey, ["session_state"] = sessionState,
                ["checkout_url"] = $"https://{StoreId}/?flx_s={checkoutKey}", ["total_payable"] = totalPayable, ["discount"] = 0,
            };
            e["cart"] = cart ?? Cart("Multigrain Atta");
        });

    public JsonObject AbandonedSession(string sessionKey, string? email)
        => Event("abandoned_session", email, null, "John", e =>
        {
            e["cart"] = Cart("Gluten-Free Cookies");
            e["session"] = new JsonObject
            {
                ["key"] = sessionKey, ["pages"] = new JsonArray("https://example.com/p/1"), ["last_page_visited"] = "https://example.com/p/1",
                ["last_activity_at"] = null,
            };
        });

    public JsonObject NewCustomer(string? email) => Event("new_customer", email, null, "John", _ => { });

    public JsonObject ProductViewed(string? email, string title)
        => Event("product_viewed", email, null, "John", e => e["product"] = new JsonObject
        {
            ["product_id"] = Guid.NewGuid().ToString("N"), ["variant_id"] = "67890", ["title"] = title, ["handle"] = "cool-t-shirt",
            ["image"] = "https://cdn.example.com/tshirt.png",
        });

    public JsonObject CollectionViewed(string? email, string name)
        => Event("collection_viewed", email, null, "John", e => e["collection"] = new JsonObject
        {
            ["collection_id"] = Guid.NewGuid().ToString("N"), ["name"] = name, ["handle"] = "summer-collection",
            ["image"] = "https://cdn.example.com/summer.png",
        });

    private JsonObject Event(string type, string? email, DateTimeOffset? occurredAt, string firstName, Action<JsonObject> fill)
    {
        var at = occurredAt ?? DateTimeOffset.UtcNow;
        var e = new JsonObject
        {
            ["event_id"] = "evt_" + Guid.NewGuid().ToString("N"),
            ["store_id"] = StoreId,
            ["type"] = type,
            ["payload_version"] = "2026-05",
            ["occurred_at"] = at.ToString("O"),
            ["received_at"] = at.ToString("O"),
            ["store"] = new JsonObject { ["id"] = "store_01", ["name"] = "My Awesome Store", ["shopify_domain"] = StoreId, ["main_domain"] = "my-store.com" },
            ["customer"] = new JsonObject
            {
                ["email"] = email, ["phone"] = "+919876543210", ["first_name"] = firstName, ["last_name"] = "Doe",
                ["full_name"] = firstName + " Doe", ["shopify_customer_id"] = null,
            },
            ["checkout"] = null, ["cart"] = null, ["session"] = null, ["product"] = null, ["collection"] = null,
            ["utm"] = new JsonObject { ["utm_source"] = "Facebook_Mobile_Reels", ["utm_medium"] = "Paid_Social" },
        };
        fill(e);
        return e;
    }
}
