namespace FlexyPe.Workflows.Model;

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
