using FlexyPe.Ingest.Model;

namespace FlexyPe.Ingest.Parsing;

/// <summary>Names an event: from its <c>event_type</c>, else from the URL's <c>{kind}</c> segment, else from its shape.</summary>
internal static class EventTypeResolver
{
    // Every spelling seen in FlexyPe's pages and URL segments (flexype-webhooks.md, "Observations" 1).
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ACR_CHECKOUT"] = EventTypes.AbandonedCheckout,
        ["ABANDONED_CHECKOUT"] = EventTypes.AbandonedCheckout,
        ["ACR"] = EventTypes.AbandonedCheckout,
        ["ABANDONED_SESSION"] = EventTypes.AbandonedSession,
        ["ASR"] = EventTypes.AbandonedSession,
        ["PRODUCT_VIEWED"] = EventTypes.ProductViewed,
        ["COLLECTION_VIEWED"] = EventTypes.CollectionViewed,
        ["NEW_CUSTOMER"] = EventTypes.NewCustomer,
        ["CUSTOMER_CREATED"] = EventTypes.NewCustomer,
    };

    /// <summary>A known type for a name in any of its spellings (<c>new-customer</c>, <c>new_customer</c>, …), else null.</summary>
    public static string? FromName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        var canonical = name.Trim().Replace('-', '_').Replace(' ', '_');
        return Aliases.TryGetValue(canonical, out var type) ? type : null;
    }

    /// <summary>Types a body that names no type (2025-09, legacy) by the fields only one kind of event has.</summary>
    public static string FromShape(System.Text.Json.JsonElement? body)
    {
        if (body.Has("product_viewed"))
        {
            return EventTypes.ProductViewed;
        }
        if (body.Has("collection_viewed"))
        {
            return EventTypes.CollectionViewed;
        }
        if (body.Has("checkout_url") || body.Has("session_state") || body.Has("total_payable"))
        {
            return EventTypes.AbandonedCheckout;
        }
        if (body.Has("pages") || body.Has("last_page_visited") || body.Has("last_activity_at") || body.Has("merchant_id"))
        {
            return EventTypes.AbandonedSession;
        }
        if (body.Has("customer") || body.Has("shopify_customer_id"))
        {
            return EventTypes.NewCustomer;
        }
        return EventTypes.Unknown;
    }
}
