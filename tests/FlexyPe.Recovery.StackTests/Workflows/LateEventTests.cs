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
    public async Task An_anonymous_checkout_abandoned_before_its_purchase_and_arriving_after_it_starts_no_sequence()
    {
        // Without an email, the purchase is known by its checkout key alone (the index of completed checkouts by key).
        var checkout = $"chk-{Guid.NewGuid():N}";
        var purchasedAt = DateTimeOffset.UtcNow;
        await api.PostEventAsync(events.AbandonedCheckout(checkout, email: null, "COMPLETED", occurredAt: purchasedAt));
        await api.PostEventAsync(events.AbandonedCheckout(checkout, email: null, "PAYMENT_LOADED", occurredAt: purchasedAt.AddMinutes(-2)));

        Assert.Empty(await api.EnrollmentsAsync(events.StoreId));

        // Another anonymous checkout of the store, abandoned before that purchase, is not that purchase's: it starts its own.
        var other = $"chk-{Guid.NewGuid():N}";
        await api.PostEventAsync(events.AbandonedCheckout(other, email: null, "PAYMENT_LOADED", occurredAt: purchasedAt.AddMinutes(-2)));
        var enrollment = Assert.Single(await api.EnrollmentsAsync(events.StoreId, "abandoned-checkout"));
        Assert.Equal(other, (string)enrollment["subject_key"]!);
    }

    [Fact]
    public async Task An_abandonment_without_a_time_of_its_own_received_before_the_purchase_and_arriving_after_it_starts_no_sequence()
    {
        // 2025-09 and legacy bodies carry no time: when Ingest received each is the evidence of their order, not when
        // Workflows takes them (an abandonment held up on its way, behind a purchase, would otherwise start a sequence).
        var email = NormalizedEvents.NewEmail();
        var purchase = events.AbandonedCheckout($"chk-{Guid.NewGuid():N}", email, "COMPLETED");
        purchase["occurred_at"] = null;
        purchase["received_at"] = DateTimeOffset.UtcNow.AddSeconds(-20).ToString("O");
        var session = events.AbandonedSession($"ses-{Guid.NewGuid():N}", email);
        session["occurred_at"] = null;
        session["received_at"] = DateTimeOffset.UtcNow.AddSeconds(-30).ToString("O");

        await api.PostEventAsync(purchase);
        await api.PostEventAsync(session);

        Assert.Empty(await api.EnrollmentsAsync(events.StoreId));
        // The one after the purchase, also without a time of its own, still starts its sequence.
        var later = events.AbandonedSession($"ses-{Guid.NewGuid():N}", email);
        later["occurred_at"] = null;
        later["received_at"] = DateTimeOffset.UtcNow.ToString("O");
        await api.PostEventAsync(later);
        Assert.Single(await api.EnrollmentsAsync(events.StoreId, "abandoned-session"));
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

    [Fact]
    public async Task A_step_of_a_shopper_whose_event_is_being_taken_waits_for_it_and_then_sees_the_purchase()
    {
        var email = NormalizedEvents.NewEmail();
        await api.PostEventAsync(events.AbandonedCheckout($"chk-{Guid.NewGuid():N}", email, "PAYMENT_LOADED"));
        var enrollment = (string)(await api.EnrollmentAsync(events.StoreId, "abandoned-checkout"))["id"]!;
        // The steps not yet fired, parked a day away while the test takes the shopper's lock.
        var parked = (await api.QueryAsync($"""
            UPDATE scheduled_steps SET due_at = now() + interval '1 day'
            WHERE enrollment_id = '{enrollment}' AND state = 'scheduled' RETURNING id::text
            """)).Select(row => (string)row[0]!).ToList();
        Assert.NotEmpty(parked);
        var steps = string.Join(",", parked.Select(id => $"'{id}'"));

        // What event intake holds while it takes an event of the shopper (a purchase, say).
        var intake = await api.HoldShopperLockAsync(events.StoreId, email);
        await api.ExecuteAsync($"UPDATE scheduled_steps SET due_at = now() WHERE id IN ({steps})");

        // Due, yet not fired while the event is being taken: the step poller passes them over round after round.
        for (var i = 0; i < 6; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            Assert.Equal(parked.Count, await api.ScalarAsync<long>($"SELECT count(*) FROM scheduled_steps WHERE id IN ({steps}) AND state = 'scheduled'"));
        }
        // The event taken: a purchase ends the enrollment; then intake lets go.
        await api.ExecuteAsync($"UPDATE enrollments SET state = 'ended', end_reason = 'recovered: checkout completed', ended_at = now() WHERE id = '{enrollment}'");
        await intake.DisposeAsync();

        var outcomes = await Eventually.MatchesAsync(
            () => api.QueryAsync($"SELECT state, reason FROM scheduled_steps WHERE id IN ({steps})"),
            rows => rows.All(row => (string)row[0]! != "scheduled"), "the held steps to be decided");
        Assert.All(outcomes, row => Assert.Equal(["cancelled", "enrollment ended"], [(string)row[0]!, (string)row[1]!]));
    }

    public void Dispose() => api.Dispose();
}
