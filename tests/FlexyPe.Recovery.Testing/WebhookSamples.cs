using Xunit;

namespace FlexyPe.Recovery.Testing;

/// <summary>
/// One delivery as FlexyPe sends it, and what its normalized event must say. The bodies are the examples of
/// docs/flexype-webhooks.md; where that reference is cut (`…`), the body is closed with the fields the older versions
/// document, and the sample says so. <c>{{event_id}}</c> is replaced by an id unique to the test run.
/// </summary>
public sealed record WebhookSample(
    string Name,
    string Body,
    string? Version,
    bool SendEventIdHeader,
    string? PathKind,
    IReadOnlyDictionary<string, string?> Expected)
{
    public override string ToString() => Name;
}

public static class WebhookSamples
{
    public static TheoryData<WebhookSample> All => new(Samples);

    /// <summary>The same samples as a list (generators start from them).</summary>
    public static IReadOnlyList<WebhookSample> List => Samples;

    private static readonly WebhookSample[] Samples =
    [
        new("2026-05 ACR (ACR_CHECKOUT); payload closed after the documented cut with 2025-09 checkout fields",
            """
            {
              "event_time": "2026-05-07T10:00:00Z",
              "event_type": "ACR_CHECKOUT",
              "event_id": "{{event_id}}",
              "store": { "id": "store_01", "name": "My Awesome Store", "shopify_domain": "my-store.myshopify.com", "main_domain": "my-store.com" },
              "payload": {
                "user": { "email": "John.Doe@Example.com", "full_name": "John Doe", "first_name": "John", "last_name": "Doe", "dial_code": "91", "phone": "9876543210" },
                "checkout_url": "https://my-store.myshopify.com/?flx_s=331d47df-8461-495b-9c4f-27ed915d9c8e",
                "session_state": "PAYMENT_LOADED",
                "total_payable": 1260,
                "discount": 70,
                "cart_items": [
                  { "image": "https://cdn.shopify.com/brownie.jpg", "title": "400gms / Gluten-Free", "price": 630, "quantity": 2,
                    "variant": { "title": "400gms / Gluten-Free", "price": 630, "variant_id": 41564857663572 },
                    "product_id": 7516974022740, "variant_id": 41564857663572, "handle": "gluten-free-brownie" }
                ]
              }
            }
            """,
            "2026-05", true, null,
            new Dictionary<string, string?>
            {
                ["type"] = "abandoned_checkout", ["payload_version"] = "2026-05", ["store_id"] = "my-store.myshopify.com",
                ["store.name"] = "My Awesome Store", ["occurred_at"] = "2026-05-07T10:00:00+00:00",
                ["customer.email"] = "john.doe@example.com", ["customer.phone"] = "+919876543210", ["customer.first_name"] = "John",
                ["checkout.key"] = "331d47df-8461-495b-9c4f-27ed915d9c8e", ["checkout.session_state"] = "PAYMENT_LOADED",
                ["checkout.total_payable"] = "1260", ["checkout.discount"] = "70",
                ["cart.0.title"] = "400gms / Gluten-Free", ["cart.0.quantity"] = "2", ["cart.0.variant_id"] = "41564857663572",
                ["cart.0.image"] = "https://cdn.shopify.com/brownie.jpg",
            }),

        new("2026-05 ACR under the trigger-table name ABANDONED_CHECKOUT",
            """
            { "event_time": "2026-05-07T10:00:00Z", "event_type": "ABANDONED_CHECKOUT", "event_id": "{{event_id}}",
              "store": { "id": "store_01", "shopify_domain": "my-store.myshopify.com" },
              "payload": { "user": { "email": "jane.doe@example.com" }, "checkout_url": "https://my-store.myshopify.com/?flx_s=abc-123", "session_state": "initiated" } }
            """,
            "2026-05", true, null,
            new Dictionary<string, string?>
            {
                ["type"] = "abandoned_checkout", ["checkout.key"] = "abc-123", ["checkout.session_state"] = "INITIATED",
            }),

        new("2026-05 ASR (ABANDONED_SESSION); closed after phone_with_dial_code",
            """
            {
              "event_time": "2026-05-07T10:00:00Z",
              "event_type": "ABANDONED_SESSION",
              "event_id": "{{event_id}}",
              "store": { "id": "7607482d-ccf2-47a4-9a39-6a651357a1d5", "name": "My Awesome Store", "shopify_domain": "my-store.myshopify.com", "main_domain": "my-store.com" },
              "payload": {
                "user": { "email": "jane.doe@example.com", "full_name": "Jane Doe", "first_name": "Jane", "last_name": "Doe",
                          "dial_code": "91", "phone": "9876543210", "phone_with_dial_code": "+919876543210" },
                "pages": ["https://my-store.com/", "https://my-store.com/products/cool-t-shirt"],
                "last_page_visited": "https://my-store.com/products/cool-t-shirt",
                "metadata": { "utm": [ { "name": "utm_source", "value": "newsletter" } ] }
              }
            }
            """,
            "2026-05", true, null,
            new Dictionary<string, string?>
            {
                ["type"] = "abandoned_session", ["store_id"] = "my-store.myshopify.com",
                ["store.id"] = "7607482d-ccf2-47a4-9a39-6a651357a1d5", ["customer.phone"] = "+919876543210",
                ["customer.full_name"] = "Jane Doe", ["session.last_page_visited"] = "https://my-store.com/products/cool-t-shirt",
                ["session.pages.1"] = "https://my-store.com/products/cool-t-shirt", ["utm.utm_source"] = "newsletter", ["checkout"] = null,
            }),

        new("2026-05 PRODUCT_VIEWED, older revision (with variant_id)",
            """
            {
              "event_time": "2026-05-07T10:00:00Z", "event_type": "PRODUCT_VIEWED", "event_id": "{{event_id}}",
              "store": { "id": "store_01", "name": "My Awesome Store", "shopify_domain": "my-store.myshopify.com", "main_domain": "my-store.com" },
              "payload": {
                "user": { "email": "jane.doe@example.com", "full_name": "Jane Doe", "first_name": "Jane", "last_name": "Doe",
                          "dial_code": "91", "phone": "9876543210", "phone_with_dial_code": "+919876543210" },
                "product_viewed": { "product_id": 12345, "variant_id": 67890, "title": "Cool T-Shirt", "handle": "cool-t-shirt",
                                    "image": "https://cdn.shopify.com/products/item.jpg", "timestamp": "2026-05-07T10:00:00Z" }
              }
            }
            """,
            "2026-05", true, null,
            new Dictionary<string, string?>
            {
                ["type"] = "product_viewed", ["product.product_id"] = "12345", ["product.variant_id"] = "67890",
                ["product.title"] = "Cool T-Shirt", ["product.handle"] = "cool-t-shirt", ["product.image"] = "https://cdn.shopify.com/products/item.jpg",
                ["customer.email"] = "jane.doe@example.com",
            }),

        new("2026-05 PRODUCT_VIEWED, newer revision (no variant_id)",
            """
            {
              "event_time": "2026-05-07T10:00:00Z", "event_type": "PRODUCT_VIEWED", "event_id": "{{event_id}}",
              "store": { "id": "store_01", "name": "My Awesome Store", "shopify_domain": "my-store.myshopify.com", "main_domain": "my-store.com" },
              "payload": {
                "user": { "email": "j***@example.com", "full_name": "Jane Doe", "dial_code": "91", "phone": "9876543210", "phone_with_dial_code": "+919876543210" },
                "product_viewed": { "product_id": 12345, "title": "Cool T-Shirt", "handle": "cool-t-shirt",
                                    "image": "https://cdn.shopify.com/products/item.jpg", "timestamp": "2026-05-07T10:00:00Z" }
              }
            }
            """,
            "2026-05", true, null,
            new Dictionary<string, string?>
            {
                ["type"] = "product_viewed", ["product.product_id"] = "12345", ["product.variant_id"] = null, ["product.title"] = "Cool T-Shirt",
            }),

        new("2026-05 COLLECTION_VIEWED",
            """
            {
              "event_time": "2026-05-07T10:00:00Z", "event_type": "COLLECTION_VIEWED", "event_id": "{{event_id}}",
              "store": { "id": "store_01", "name": "My Awesome Store", "shopify_domain": "my-store.myshopify.com", "main_domain": "my-store.com" },
              "payload": {
                "user": { "email": "jane.doe@example.com", "full_name": "Jane Doe", "first_name": "Jane", "last_name": "Doe",
                          "dial_code": "91", "phone": "9876543210", "phone_with_dial_code": "+919876543210" },
                "collection_viewed": { "collection_id": 112233, "name": "Summer Collection", "handle": "summer-collection",
                                       "image": "https://cdn.shopify.com/collections/summer.jpg", "timestamp": "2026-05-07T10:00:00Z" }
              }
            }
            """,
            "2026-05", true, null,
            new Dictionary<string, string?>
            {
                ["type"] = "collection_viewed", ["collection.collection_id"] = "112233", ["collection.name"] = "Summer Collection",
                ["collection.handle"] = "summer-collection",
            }),

        new("2026-05 new customer, newer revision (CUSTOMER_CREATED)",
            """
            {
              "event_time": "2026-05-07T10:00:00Z", "event_type": "CUSTOMER_CREATED", "event_id": "{{event_id}}",
              "store": { "id": "store_01", "name": "My Awesome Store", "shopify_domain": "my-store.myshopify.com", "main_domain": "my-store.com" },
              "payload": {
                "user": { "email": "jane.doe@example.com", "full_name": "Jane Doe", "first_name": "Jane", "last_name": "Doe",
                          "dial_code": "91", "phone": "9876543210", "phone_with_dial_code": "+919876543210" },
                "shopify_customer_id": "gid://shopify/Customer/123456789"
              }
            }
            """,
            "2026-05", true, null,
            new Dictionary<string, string?>
            {
                ["type"] = "new_customer", ["customer.shopify_customer_id"] = "gid://shopify/Customer/123456789",
                ["customer.last_name"] = "Doe", ["customer.phone"] = "+919876543210",
            }),

        new("2026-05 new customer, older revision (NEW_CUSTOMER)",
            """
            { "event_time": "2026-05-07T10:00:00Z", "event_type": "NEW_CUSTOMER", "event_id": "{{event_id}}",
              "store": { "id": "store_01", "name": "My Awesome Store", "shopify_domain": "my-store.myshopify.com", "main_domain": "my-store.com" },
              "payload": { "user": { "email": "jane.doe@example.com", "first_name": "Jane", "last_name": "Doe" }, "shopify_customer_id": "gid://shopify/Customer/123456789" } }
            """,
            "2026-05", true, null,
            new Dictionary<string, string?> { ["type"] = "new_customer", ["customer.full_name"] = "Jane Doe" }),

        new("2025-09 new customer: flat, no type and no id in the body, typed by shape",
            """
            {
              "store_domain": "my-store.myshopify.com",
              "shopify_domain": "my-store.myshopify.com",
              "customer": { "shopify_customer_id": "gid://shopify/Customer/123456789", "first_name": "Jane", "last_name": "Doe",
                            "email": "jane.doe@example.com", "phone": "9876543210", "dial_code": "91" }
            }
            """,
            "2025-09", true, null,
            new Dictionary<string, string?>
            {
                ["type"] = "new_customer", ["payload_version"] = "2025-09", ["store_id"] = "my-store.myshopify.com",
                ["customer.phone"] = "+919876543210", ["customer.shopify_customer_id"] = "gid://shopify/Customer/123456789", ["occurred_at"] = null,
            }),

        new("2025-09 ASR: flat body built from the documented field table, typed by shape",
            """
            {
              "merchant_id": "12554340-1b6a-496c-5651-24bd9ef56bb4",
              "shopify_domain": "flexype.myshopify.com",
              "user": { "full_name": "Roshan Kumar", "phone": "7777788888", "dial_code": "91", "email": "ROSHAN@example.com" },
              "cart_items": [ { "product_id": 7516974022740, "variant_id": 41564857663572, "quantity": 1 } ],
              "client_meta": { "client_ip": "1.1.1.1" },
              "metadata": { "landing_page": "https://flexype.myshopify.com/" },
              "pages": [ { "url": "https://flexype.myshopify.com/" }, { "url": "https://flexype.myshopify.com/collections/all" } ],
              "last_page_visited": "https://flexype.myshopify.com/collections/all",
              "last_activity_at": "2025-09-10T08:15:00Z"
            }
            """,
            "2025-09", true, null,
            new Dictionary<string, string?>
            {
                ["type"] = "abandoned_session", ["store_id"] = "flexype.myshopify.com", ["store.id"] = "12554340-1b6a-496c-5651-24bd9ef56bb4",
                ["customer.email"] = "roshan@example.com", ["customer.phone"] = "+917777788888",
                ["session.pages.0"] = "https://flexype.myshopify.com/", ["session.last_activity_at"] = "2025-09-10T08:15:00+00:00",
                ["cart.0.product_id"] = "7516974022740",
            }),

        new("2025-09 ACR: flat body (field names inferred by the reference), typed by the /acr path segment",
            """
            {
              "shopify_domain": "flexype.myshopify.com",
              "checkout_url": "https://flexype.myshopify.com/?flx_s=9f0e2d6c-aaaa-bbbb-cccc-000000000001",
              "discount": 0,
              "total_payable": 630,
              "session_state": "OTP_VERIFIED",
              "cart_items": [ { "image": "https://cdn.shopify.com/x.jpg", "title": "400gms / Gluten-Free", "discount": 0, "price": 630, "quantity": 1 } ]
            }
            """,
            "2025-09", true, "acr",
            new Dictionary<string, string?>
            {
                ["type"] = "abandoned_checkout", ["checkout.key"] = "9f0e2d6c-aaaa-bbbb-cccc-000000000001",
                ["checkout.session_state"] = "OTP_VERIFIED", ["customer"] = null,
            }),

        new("legacy ACR: the reference's example, closed after the fbclid cut",
            """
            {
              "cart_items": [
                {
                  "image": "https://cdn.shopify.com/s/files/1/0598/4564/0276/files/wallnut_brownie_1st_slide.jpg?v=1745323290",
                  "title": "400gms / Gluten-Free", "discount": 0, "price": 630, "quantity": 1,
                  "variant": { "title": "400gms / Gluten-Free", "price": 630, "variant_id": 41564857663572, "compare_at_price": 700 },
                  "product_id": 7516974022740, "variant_id": 41564857663572, "grams": 0, "handle": "gluten-free-double-chocochunk-walnut",
                  "total_price": 630, "sub_total_price": 630, "total_discount": 0, "single_variant": false
                }
              ],
              "checkout_url": "https://flexype.myshopify.com/?flx_s=331d47df-8461-495b-9c4f-27ed915d9c8e",
              "discount": 0,
              "total_payable": 630,
              "session_state": "ADDRESS_LOADED",
              "user": {
                "phone_no": "7777788888", "dial_code": "91",
                "address": { "address1": "A-11, Shakti Bhawan, Sailesh Vihar", "address2": "", "city": "Vadodara", "state": "Gujarat",
                             "country": "India", "state_code": "GJ", "country_code": "IN", "postal_code": "391101" }
              },
              "store_link": "flexype.myshopify.com",
              "client_meta": { "client_ip": "1.1.1.1", "http_referer": "https://flexype.io", "user_agent": "Mozilla/5.0" },
              "analytics": { "fb": { "fbc": "fb.1.1718171818181.1234567890", "fbp": "fb.1.1749629739196.52545909099157380" } },
              "metadata": {
                "utm": [
                  { "name": "utm_source", "value": "Facebook_Mobile_Reels" }, { "name": "utm_medium", "value": "Paid_Social" },
                  { "name": "utm_campaign", "value": "SM_ToF_LuxuryTravel_MR28" }, { "name": "utm_content", "value": "Video_THR&Q8" },
                  { "name": "fbclid", "value": "IwAR0abc" }
                ]
              }
            }
            """,
            null, true, null,
            new Dictionary<string, string?>
            {
                ["type"] = "abandoned_checkout", ["payload_version"] = "legacy", ["store_id"] = "flexype.myshopify.com",
                ["customer.phone"] = "+917777788888", ["customer.email"] = null,
                ["checkout.key"] = "331d47df-8461-495b-9c4f-27ed915d9c8e", ["checkout.session_state"] = "ADDRESS_LOADED",
                ["checkout.total_payable"] = "630", ["cart.0.variant_title"] = "400gms / Gluten-Free",
                ["cart.0.handle"] = "gluten-free-double-chocochunk-walnut", ["utm.utm_campaign"] = "SM_ToF_LuxuryTravel_MR28",
                ["utm.utm_content"] = "Video_THR&Q8",
            }),

        new("legacy ASR: the reference's example, closed after its cut in cart_items",
            """
            {
              "merchant_id": "12554340-1b6a-496c-5651-24bd9ef56bb4",
              "shopify_domain": "flexype.myshopify.com",
              "user": { "full_name": "Roshan Kumar Chatei", "phone": "7777788888", "dial_code": "91", "email": "jane.doe@example.com" },
              "cart_items": [ { "product_id": 7516974022740, "variant_id": 41564857663572, "quantity": 1 } ]
            }
            """,
            null, true, null,
            new Dictionary<string, string?>
            {
                ["type"] = "abandoned_session", ["payload_version"] = "legacy", ["customer.full_name"] = "Roshan Kumar Chatei",
                ["cart.0.variant_id"] = "41564857663572",
            }),

        new("legacy new customer: type new_customer and the event id only in the body, phone already with +91",
            """
            {
              "event_id": "{{event_id}}",
              "event_type": "new_customer",
              "timestamp": "2025-12-08T14:35:22.169Z",
              "store_domain": "flexype.myshopify.com",
              "customer": { "shopify_customer_id": "gid://shopify/Customer/7894561230123", "first_name": "John", "last_name": "Doe",
                            "email": "john.doe@example.com", "phone": "+917777788888", "dial_code": "91" }
            }
            """,
            null, false, null,
            new Dictionary<string, string?>
            {
                ["type"] = "new_customer", ["payload_version"] = "legacy", ["occurred_at"] = "2025-12-08T14:35:22.169+00:00",
                ["customer.phone"] = "+917777788888", ["store_id"] = "flexype.myshopify.com",
            }),

        new("a version not seen yet: stored under its own version and typed from the envelope",
            """
            { "event_time": "2027-01-01T00:00:00Z", "event_type": "PRODUCT_VIEWED", "event_id": "{{event_id}}", "schema_revision": 7,
              "store": { "id": "store_01", "shopify_domain": "my-store.myshopify.com" },
              "payload": { "product_viewed": { "product_id": "555", "title": "Future Hat" }, "something_new": { "x": 1 } } }
            """,
            "2027-01", true, null,
            new Dictionary<string, string?> { ["type"] = "product_viewed", ["payload_version"] = "2027-01", ["product.title"] = "Future Hat" }),

        new("an event type not known yet is stored as unknown",
            """
            { "event_time": "2026-05-07T10:00:00Z", "event_type": "ORDER_REFUNDED", "event_id": "{{event_id}}",
              "store": { "shopify_domain": "my-store.myshopify.com" }, "payload": { "amount": 10 } }
            """,
            "2026-05", true, null,
            new Dictionary<string, string?> { ["type"] = "unknown", ["store_id"] = "my-store.myshopify.com" }),

        new("an event type not known yet is unknown even when its payload looks like a new customer (no welcome flow)",
            """
            { "event_time": "2026-05-07T10:00:00Z", "event_type": "CUSTOMER_DELETED", "event_id": "{{event_id}}",
              "store": { "shopify_domain": "my-store.myshopify.com" }, "payload": { "customer": { "email": "gone@example.com" }, "shopify_customer_id": "9" } }
            """,
            "2026-05", true, null,
            new Dictionary<string, string?> { ["type"] = "unknown" }),

        new("numbers as strings, nulls anywhere, unknown extra fields",
            """
            { "event_time": null, "event_type": "ACR_CHECKOUT", "event_id": "{{event_id}}", "extra": [1, {"a": null}],
              "store": { "id": null, "shopify_domain": "My-Store.myshopify.com", "name": null },
              "payload": { "user": { "email": null, "phone": null, "dial_code": null, "first_name": "Ana" },
                           "checkout_url": null, "session_state": null, "total_payable": "630.50", "discount": null,
                           "cart_items": [ null, { "title": null, "price": "99.5", "quantity": "3", "variant_id": null } ] } }
            """,
            "2026-05", true, null,
            new Dictionary<string, string?>
            {
                ["type"] = "abandoned_checkout", ["store_id"] = "my-store.myshopify.com", ["occurred_at"] = null,
                ["checkout.total_payable"] = "630.50", ["checkout.session_state"] = null, ["customer.email"] = null,
                ["customer.first_name"] = "Ana", ["cart.0.price"] = "99.5", ["cart.0.quantity"] = "3",
            }),
    ];
}
