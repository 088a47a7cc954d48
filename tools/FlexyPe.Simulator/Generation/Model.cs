namespace FlexyPe.Simulator.Generation;

/// <summary>The payload versions FlexyPe documents (docs/flexype-webhooks.md).</summary>
public static class PayloadVersions
{
    public const string V2026_05 = "2026-05";
    public const string V2025_09 = "2025-09";
    public const string Legacy = "legacy";
    public const string Mixed = "mixed";

    public static readonly string[] All = [V2026_05, V2025_09, Legacy];

    public static bool IsValidChoice(string value) => value is V2026_05 or V2025_09 or Legacy or Mixed;
}

public enum EventKind
{
    ProductViewed,
    CollectionViewed,
    AbandonedSession,
    AbandonedCheckout,
    NewCustomer,
}

public enum JourneyKind
{
    /// <summary>Product and collection views that end in an abandoned-session (ASR) delivery.</summary>
    Browsing,

    /// <summary>A checkout whose ACR deliveries advance through <c>session_state</c>, completed or not.</summary>
    Checkout,

    /// <summary>A first FlexyPass login that creates a store account.</summary>
    NewCustomer,
}

public sealed record Store(string Id, string Name, string ShopifyDomain, string MainDomain, IReadOnlyList<Product> Catalog, IReadOnlyList<Collection> Collections);

public sealed record Product(long ProductId, long VariantId, string Title, string VariantTitle, string Handle, decimal Price, decimal? CompareAtPrice, string Image);

public sealed record Collection(long CollectionId, string Name, string Handle, string Image);

public sealed record Shopper(string FirstName, string LastName, string? Email, string Phone, string DialCode, string City, string State, string PostalCode, string ShopifyCustomerId);

public sealed record CartLine(Product Product, int Quantity, decimal Discount);

/// <summary>One delivery as FlexyPe would make it: headers and the exact body.</summary>
public sealed record SimulatedEvent(
    string EventId,
    int Journey,
    EventKind Kind,
    string PayloadVersion,
    DateTimeOffset OccurredAt,
    string StoreDomain,
    string? Email,
    string? CheckoutKey,
    string? SessionState,
    string Body)
{
    /// <summary>The <c>X-Webhook-Version</c> header: absent on legacy (unversioned) webhooks.</summary>
    public string? VersionHeader => PayloadVersion == PayloadVersions.Legacy ? null : PayloadVersion;
}

public sealed record Journey(int Index, JourneyKind Kind, string PayloadVersion, Store Store, Shopper Shopper, IReadOnlyList<SimulatedEvent> Events)
{
    /// <summary>For a checkout journey: whether its last ACR delivery says <c>COMPLETED</c>.</summary>
    public bool Completed => Events.Count > 0 && Events[^1].SessionState == CheckoutStates.Completed;
}

/// <summary>The <c>session_state</c> enum, in the order a shopper moves through checkout.</summary>
public static class CheckoutStates
{
    public const string Completed = "COMPLETED";

    public static readonly string[] Progress =
    [
        "INITIATED", "PHONE_ENTERED", "OTP_VERIFIED", "ADDRESS_LOADED", "ADDRESS_SHIPPING_SELECTED", "PAYMENT_LOADED", "PAYMENT_INITIATED",
    ];
}
