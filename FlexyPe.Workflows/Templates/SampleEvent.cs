namespace FlexyPe.Workflows.Templates;

/// <summary>A built-in abandoned checkout to preview templates against when no stored event is named.</summary>
public static class SampleEvent
{
    public const string Json = """
        {
          "event_id": "sample", "store_id": "my-store.myshopify.com", "type": "abandoned_checkout",
          "payload_version": "2026-05", "occurred_at": "2026-05-07T10:00:00+00:00",
          "store": { "id": "store_01", "name": "My Awesome Store", "shopify_domain": "my-store.myshopify.com", "main_domain": "my-store.com" },
          "customer": { "email": "john.doe@example.com", "phone": "+919876543210", "first_name": "John", "last_name": "Doe", "full_name": "John Doe", "shopify_customer_id": null },
          "checkout": { "key": "331d47df-8461-495b-9c4f-27ed915d9c8e", "session_state": "ADDRESS_LOADED",
            "checkout_url": "https://my-store.myshopify.com/?flx_s=331d47df-8461-495b-9c4f-27ed915d9c8e", "total_payable": 630, "discount": 0 },
          "cart": [ { "title": "Multigrain Atta", "variant_title": "400gms / Gluten-Free", "image": "https://cdn.example.com/atta.png",
            "price": 630, "quantity": 1, "product_id": "7516974022740", "variant_id": "41564857663572", "handle": "multigrain-atta" } ],
          "session": null, "product": null, "collection": null, "utm": null
        }
        """;

    public static readonly string[] ViewedProducts =
    [
        """{ "product": { "product_id": "12345", "variant_id": "67890", "title": "Cool T-Shirt", "handle": "cool-t-shirt", "image": "https://cdn.example.com/tshirt.png" } }""",
    ];

    public static readonly string[] ViewedCollections =
    [
        """{ "collection": { "collection_id": "112233", "name": "Summer Collection", "handle": "summer-collection", "image": "https://cdn.example.com/summer.png" } }""",
    ];
}
