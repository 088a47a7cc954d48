using System.Text.Json;
using System.Text.Json.Serialization;
using FlexyPe.Workflows.Model;

namespace FlexyPe.Workflows.HandOffs;

/// <summary>The parts of a normalized event (see docs/hand-offs.md) the rules read; templates see the whole JSON.</summary>
public sealed record WorkflowEvent(
    string EventId,
    string StoreId,
    string Type,
    DateTimeOffset? OccurredAt,
    DateTimeOffset? ReceivedAt,
    EventStore? Store,
    EventCustomer? Customer,
    EventCheckout? Checkout,
    EventSession? Session)
{
    /// <summary>The shopper's identity: the lower-cased email, or null when FlexyPe sent none.</summary>
    public string? ShopperEmail => string.IsNullOrWhiteSpace(Customer?.Email) ? null : Customer.Email.Trim().ToLowerInvariant();

    /// <summary>
    /// When it happened: FlexyPe's own time, else when Ingest received it (2025-09 and legacy bodies carry no time), else
    /// <paramref name="now"/>. Not the time Workflows takes it: a delivery held up on its way (a hand-off retried after a
    /// process died) would otherwise look newer than a purchase that overtook it.
    /// </summary>
    public DateTimeOffset HappenedAt(DateTimeOffset now) => OccurredAt ?? ReceivedAt ?? now;
}

public sealed record EventStore(string? Id, string? Name, string? ShopifyDomain);

public sealed record EventCustomer(string? Email, string? Phone, string? FirstName, string? LastName, string? FullName, string? ShopifyCustomerId);

public sealed record EventCheckout(string? Key, string? SessionState, string? CheckoutUrl, decimal? TotalPayable, decimal? Discount);

public sealed record EventSession(string? Key);
