namespace FlexyPe.Ingest.Model;

/// <summary>The kinds of event FlexyPe sends, under one name each whatever the payload version calls them.</summary>
public static class EventTypes
{
    public const string AbandonedCheckout = "abandoned_checkout";
    public const string AbandonedSession = "abandoned_session";
    public const string ProductViewed = "product_viewed";
    public const string CollectionViewed = "collection_viewed";
    public const string NewCustomer = "new_customer";
    public const string Unknown = "unknown";
}

/// <summary>
/// One FlexyPe event in the single shape every payload version (2026-05, 2025-09, legacy) is normalized to. This is
/// what is stored beside the raw body and what Workflows receives (docs/hand-offs.md). Sections that do not apply are
/// null, and so may be any field FlexyPe left out.
/// </summary>
public sealed record FlexyPeEvent
{
    public required string EventId { get; init; }
    public required string StoreId { get; init; }
    public required string Type { get; init; }
    public required string PayloadVersion { get; init; }
    public DateTimeOffset? OccurredAt { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
    public StoreInfo? Store { get; init; }
    public Customer? Customer { get; init; }
    public Checkout? Checkout { get; init; }
    public IReadOnlyList<CartLine>? Cart { get; init; }
    public BrowsingSession? Session { get; init; }
    public ViewedProduct? Product { get; init; }
    public ViewedCollection? Collection { get; init; }
    public IReadOnlyDictionary<string, string>? Utm { get; init; }
    public Device? Device { get; init; }
}

public sealed record StoreInfo(string? Id, string? Name, string? ShopifyDomain, string? MainDomain);

/// <summary>The shopper: email lower-cased, phone in E.164 where it can be read.</summary>
public sealed record Customer(
    string? Email,
    string? Phone,
    string? FirstName,
    string? LastName,
    string? FullName,
    string? ShopifyCustomerId);

/// <summary>An abandoned checkout: its identity (<see cref="Key"/>), how far the shopper got, and what they owe.</summary>
public sealed record Checkout(string Key, string? SessionState, string? CheckoutUrl, decimal? TotalPayable, decimal? Discount);

public sealed record CartLine(
    string? Title,
    string? VariantTitle,
    string? Image,
    decimal? Price,
    int? Quantity,
    string? ProductId,
    string? VariantId,
    string? Handle);

/// <summary>An abandoned browsing session (ASR).</summary>
public sealed record BrowsingSession(string Key, IReadOnlyList<string> Pages, string? LastPageVisited, DateTimeOffset? LastActivityAt);

public sealed record ViewedProduct(string? ProductId, string? VariantId, string? Title, string? Handle, string? Image, DateTimeOffset? ViewedAt);

/// <summary>
/// The shopper's device, as a class only (<see cref="DeviceClasses"/>), read from <c>client_meta.user_agent</c>;
/// the user agent and the IP address themselves are not copied into the normalized event.
/// </summary>
public sealed record Device(string Class);

public static class DeviceClasses
{
    public const string Desktop = "desktop";
    public const string Mobile = "mobile";
    public const string Tablet = "tablet";
    public const string Bot = "bot";
    /// <summary>A user agent was sent but says nothing recognizable.</summary>
    public const string Unknown = "unknown";
}

public sealed record ViewedCollection(string? CollectionId, string? Name, string? Handle, string? Image, DateTimeOffset? ViewedAt);
