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
    EventStore? Store,
    EventCustomer? Customer,
    EventCheckout? Checkout,
    EventSession? Session)
{
    /// <summary>The shopper's identity: the lower-cased email, or null when FlexyPe sent none.</summary>
    public string? ShopperEmail => string.IsNullOrWhiteSpace(Customer?.Email) ? null : Customer.Email.Trim().ToLowerInvariant();
}

public sealed record EventStore(string? Id, string? Name, string? ShopifyDomain);

public sealed record EventCustomer(string? Email, string? Phone, string? FirstName, string? LastName, string? FullName, string? ShopifyCustomerId);

public sealed record EventCheckout(string? Key, string? SessionState, string? CheckoutUrl, decimal? TotalPayable, decimal? Discount);

public sealed record EventSession(string? Key);
