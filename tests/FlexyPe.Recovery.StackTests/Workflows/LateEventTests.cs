namespace FlexyPe.Recovery.StackTests.Workflows;

/// <summary>
/// Deliveries arrive out of order (FlexyPe's retries, the relay's concurrent batches, a Workflows process that dies
/// holding some; the fault suite found it with one of two Workflows processes killed): an abandonment from before a
/// purchase that arrives after it starts nothing, while one from after the purchase still does.
/// </summary>
[Collection(WorkflowsStackCollection.Name)]
public sealed class LateEventTests(WorkflowsStack stack) : IDisposable
{
    private readonly WorkflowsApi api = new(stack);
    private readonly NormalizedEvents events = new();

    [Fact]
    public async Task An_abandonment_from_before_the_purchase_arriving_after_it_starts_no_sequence()
    {
        var email = NormalizedEvents.NewEmail();
        var checkout = $"chk-{Guid.NewGuid():N}";
        var purchasedAt = DateTimeOffset.UtcNow;

        await api.PostEventAsync(events.AbandonedCheckout(checkout, email, "COMPLETED", occurredAt: purchasedAt));
        await api.PostEventAsync(events.AbandonedCheckout(checkout, email, "PAYMENT_LOADED", occurredAt: purchasedAt.AddMinutes(-2)));
        var session = events.AbandonedSession($"ses-{Guid.NewGuid():N}", email);
        session["occurred_at"] = purchasedAt.AddMinutes(-5).ToString("O");
        await api.PostEventAsync(session);

        Assert.Empty(await api.EnrollmentsAsync(events.StoreId));
    }

    [Fact]
    public async Task An_abandonment_after_the_purchase_starts_its_sequence()
    {
        var email = NormalizedEvents.NewEmail();
        var purchasedAt = DateTimeOffset.UtcNow.AddMinutes(-10);

        await api.PostEventAsync(events.AbandonedCheckout($"chk-{Guid.NewGuid():N}", email, "COMPLETED", occurredAt: purchasedAt));
        await api.PostEventAsync(events.AbandonedCheckout($"chk-{Guid.NewGuid():N}", email, "PAYMENT_LOADED", occurredAt: purchasedAt.AddMinutes(5)));

        Assert.Single(await api.EnrollmentsAsync(events.StoreId, "abandoned-checkout"));
    }

    public void Dispose() => api.Dispose();
}
