using FlexyPe.Workflows.Model;

namespace FlexyPe.Workflows.Templates;

/// <summary>Built-in events of each trigger, to preview templates against when no stored event is named.</summary>
public static class SampleEvent
{
    public const string Json = AbandonedCheckout;

    /// <summary>The sample of <paramref name="trigger"/> (an abandoned checkout when it is unknown).</summary>
    public static string For(string? trigger) => trigger switch
    {
        EventTypes.AbandonedSession => AbandonedSession,
        EventTypes.NewCustomer => NewCustomer,
        _ => AbandonedCheckout,
    };

    public const string AbandonedCheckout = """
        {
          "event_id": "sample", "store_id": "my-store.myshopify.com", "type": "abandoned_checkout",
          "payload_version": "2026-05", "occurred_at": "2026-05-07T10:00:00+00:00",
          "store": { "id": "store_01", "name": "My Awesome Store", "shopify_domain": "my-store.myshopify.com", "main_domain": "my-store.com" },
          "customer": { "email": "john.doe@example.com", "phone": "+919876543210", "first_name": "John", "last_name": "Doe", "full_name": "John Doe", "shopify_customer_id": null },
          "checkout": { "key": "331d47df-8461-495b-9c4f-27ed915d9c8e", "session_state": "ADDRESS_LOADED",
            "checkout_url": "https://my-store.myshopify.com/?flx_s=331d47df-8461-495b-9c4f-27ed915d9c8e", "total_payable": 1510, "discount": 0 },
          "cart": [
            { "title": "Multigrain Atta", "variant_title": "400gms / Gluten-Free", "image": "https://cdn.example.com/atta.png",
              "price": 630, "quantity": 2, "product_id": "7516974022740", "variant_id": "41564857663572", "handle": "multigrain-atta" },
            { "title": "Walnut Brownie", "variant_title": null, "image": null,
              "price": 250, "quantity": 1, "product_id": "7516974022741", "variant_id": "41564857663573", "handle": "walnut-brownie" } ],
          "session": null, "product": null, "collection": null, "utm": null
        }
        """;

    public const string AbandonedSession = """
        {
          "event_id": "sample-session", "store_id": "my-store.myshopify.com", "type": "abandoned_session",
          "payload_version": "2026-05", "occurred_at": "2026-05-07T10:00:00+00:00",
          "store": { "id": "store_01", "name": "My Awesome Store", "shopify_domain": "my-store.myshopify.com", "main_domain": "my-store.com" },
          "customer": { "email": "jane.doe@example.com", "phone": "+919876543210", "first_name": "Jane", "last_name": "Doe", "full_name": "Jane Doe", "shopify_customer_id": null },
          "checkout": null, "cart": [],
          "session": { "key": "sample-session-key", "pages": ["https://my-store.com/", "https://my-store.com/products/cool-t-shirt"],
            "last_page_visited": "https://my-store.com/products/cool-t-shirt", "last_activity_at": null },
          "product": null, "collection": null, "utm": { "utm_source": "instagram", "utm_medium": "social" }
        }
        """;

    public const string NewCustomer = """
        {
          "event_id": "sample-customer", "store_id": "my-store.myshopify.com", "type": "new_customer",
          "payload_version": "2026-05", "occurred_at": "2026-05-07T10:00:00+00:00",
          "store": { "id": "store_01", "name": "My Awesome Store", "shopify_domain": "my-store.myshopify.com", "main_domain": "my-store.com" },
          "customer": { "email": "asha.rao@example.com", "phone": "+919812345678", "first_name": "Asha", "last_name": "Rao", "full_name": "Asha Rao", "shopify_customer_id": "7001" },
          "checkout": null, "cart": null, "session": null, "product": null, "collection": null, "utm": null
        }
        """;

    public static readonly string[] ViewedProducts =
    [
        """{ "product": { "product_id": "12345", "variant_id": "67890", "title": "Cool T-Shirt", "handle": "cool-t-shirt", "image": "https://cdn.example.com/tshirt.png" } }""",
        """{ "product": { "product_id": "12346", "variant_id": "67891", "title": "Linen Summer Shirt", "handle": "linen-summer-shirt", "image": null } }""",
    ];

    public static readonly string[] ViewedCollections =
    [
        """{ "collection": { "collection_id": "112233", "name": "Summer Collection", "handle": "summer-collection", "image": "https://cdn.example.com/summer.png" } }""",
    ];
}
