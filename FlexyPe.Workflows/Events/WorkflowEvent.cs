using System.Text.Json;
using System.Text.Json.Serialization;

namespace FlexyPe.Workflows.Events;

/// <summary>The event types Ingest sends to <c>POST /internal/events</c>.</summary>
public static class EventTypes
{
    public const string AbandonedCheckout = "abandoned_checkout";
    public const string AbandonedSession = "abandoned_session";
    public const string NewCustomer = "new_customer";
    public const string ProductViewed = "product_viewed";
    public const string CollectionViewed = "collection_viewed";

    public static readonly string[] Triggers = [AbandonedCheckout, AbandonedSession, NewCustomer];

    /// <summary>Triggers of recovery sequences: the frequency cap and purchase attribution count only these (a welcome is not one).</summary>
    public static readonly string[] Recovery = [AbandonedCheckout, AbandonedSession];
}

/// <summary>FlexyPe's checkout-session states in the order a shopper reaches them.</summary>
public static class SessionStates
{
    public const string Completed = "COMPLETED";

    private static readonly string[] Order =
    [
        "INITIATED", "PHONE_ENTERED", "OTP_VERIFIED", "ADDRESS_LOADED", "ADDRESS_SHIPPING_SELECTED",
        "PAYMENT_LOADED", "PAYMENT_INITIATED", Completed,
    ];

    /// <summary>The state further along the checkout; unknown states count as the least far.</summary>
    public static string? Furthest(string? current, string? incoming)
        => Array.IndexOf(Order, incoming) > Array.IndexOf(Order, current) ? incoming : current ?? incoming;
}

/// <summary>The parts of a normalized event (see docs/hand-offs.md) the rules read; templates see the whole JSON.</summary>
public sealed record WorkflowEvent(
    string EventId,
    string StoreId,
    string Type,
    DateTimeOffset? OccurredAt,
    EventStore? Store,
    EventCustomer? Customer,
    EventCheckout? Checkout,
    EventSession? Session)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>The shopper's identity: the lower-cased email, or null when FlexyPe sent none.</summary>
    public string? ShopperEmail => string.IsNullOrWhiteSpace(Customer?.Email) ? null : Customer.Email.Trim().ToLowerInvariant();
}

public sealed record EventStore(string? Id, string? Name, string? ShopifyDomain);

public sealed record EventCustomer(string? Email, string? FirstName, string? LastName, string? FullName, string? ShopifyCustomerId);

public sealed record EventCheckout(string? Key, string? SessionState, string? CheckoutUrl, decimal? TotalPayable, decimal? Discount);

public sealed record EventSession(string? Key);
