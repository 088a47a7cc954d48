using System.Text.Json.Nodes;
using static FlexyPe.Recovery.StackTests.Workflows.WorkflowsApi;

namespace FlexyPe.Recovery.StackTests.Workflows;

[Collection(WorkflowsStackCollection.Name)]
public sealed class EnrollmentRulesTests(WorkflowsStack stack) : IDisposable
{
    private readonly WorkflowsApi api = new(stack);
    private readonly NormalizedEvents events = new();

    private static bool AllDone(JsonObject timeline) => Steps(timeline).All(s => State(s) != "scheduled");

    [Fact]
    public async Task Abandoned_checkout_steps_fire_in_order_at_their_delays()
    {
        var email = NormalizedEvents.NewEmail();
        await api.PostEventAsync(events.AbandonedCheckout("chk-order", email));

        var enrollment = await api.EnrollmentAsync(events.StoreId, "abandoned-checkout");
        var timeline = await api.WaitForAsync((string)enrollment["id"]!, AllDone);

        var steps = Steps(timeline).ToList();
        Assert.Equal([1, 2, 3], steps.Select(s => (int)s["number"]!));
        Assert.All(steps, s => Assert.Equal("sent", State(s)));
        var due = steps.Select(s => (DateTimeOffset)s["due_at"]!).ToList();
        var fired = steps.Select(s => (DateTimeOffset)s["fired_at"]!).ToList();
        var enrolledAt = (DateTimeOffset)timeline["enrollment"]!["enrolled_at"]!;
        // 1 h, 3 h and 5 h after the trigger, compressed 3600×.
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5)], due.Select(d => d - enrolledAt));
        Assert.All(due.Zip(fired), pair => Assert.True(pair.Second >= pair.First, $"fired {pair.Second:O} before due {pair.First:O}"));
        Assert.True(fired[0] < fired[1] && fired[1] < fired[2]);
        Assert.Equal("finished", (string)timeline["enrollment"]!["state"]!);

        var requests = await api.OutboxAsync($"enrollment:{enrollment["id"]}:");
        Assert.Equal(3, requests.Count);
        var first = requests[0].Payload;
        Assert.Equal($"enrollment:{enrollment["id"]}:step:1", (string)first["idempotency_key"]!);
        Assert.Equal(events.StoreId, (string)first["store_id"]!);
        Assert.Equal("My Awesome Store", (string)first["store_name"]!);
        Assert.Equal(email, (string)first["to"]!);
        Assert.Equal("John, you left something in your cart", (string)first["subject"]!);
        Assert.Contains("Multigrain Atta", (string)first["html_body"]!);
        Assert.Contains($"https://{events.StoreId}/?flx_s=chk-order", (string)first["html_body"]!);
        Assert.Equal("abandoned-checkout", (string)first["tags"]!["sequence"]!);
        Assert.Equal("1", (string)first["tags"]!["step"]!);
        Assert.Contains("COMEBACK10", (string)requests[2].Payload["html_body"]!);
        Assert.All(requests, r => Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", r.TraceParent));
    }

    [Fact]
    public async Task Completed_checkout_cancels_the_remaining_steps_and_records_the_recovery()
    {
        var email = NormalizedEvents.NewEmail();
        await api.PostEventAsync(events.AbandonedCheckout("chk-done", email));
        var id = (string)(await api.EnrollmentAsync(events.StoreId, "abandoned-checkout"))["id"]!;
        // Steps 2 and 3 parked a day away before step 1 is due, so neither fires before the purchase is taken, however
        // slow the machine (step 2 was due 2 s after step 1).
        Assert.Equal(2, await api.ExecuteAsync(
            $"UPDATE scheduled_steps SET due_at = now() + interval '1 day' WHERE enrollment_id = '{id}' AND step_number > 1 AND state = 'scheduled'"));
        await api.WaitForAsync(id, t => State(Steps(t).First()) == "sent");

        await api.PostEventAsync(events.AbandonedCheckout("chk-done", email, sessionState: "COMPLETED", totalPayable: 1260));

        var timeline = await api.TimelineAsync(id);
        Assert.Equal("recovered", (string)timeline["enrollment"]!["state"]!);
        Assert.Equal("COMPLETED", (string)timeline["enrollment"]!["session_state"]!);
        var steps = Steps(timeline).ToList();
        Assert.Equal("sent", State(steps[0]));
        Assert.All(steps.Skip(1), s =>
        {
            Assert.Equal("cancelled", State(s));
            Assert.Equal("recovered: checkout completed", (string)s["reason"]!);
        });
        var recovered = Assert.Single(timeline["timeline"]!.AsArray(), t => (string)t!["kind"]! == "recovered")!;
        Assert.Equal(1260m, (decimal)recovered["revenue"]!);
        Assert.Equal(1, (int)recovered["step"]!);

        // The cancelled steps due again: nothing more is produced.
        await api.ExecuteAsync($"UPDATE scheduled_steps SET due_at = now() WHERE enrollment_id = '{id}' AND state = 'cancelled'");
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Single(await api.OutboxAsync($"enrollment:{id}:"));
    }

    [Fact]
    public async Task A_purchase_is_attributed_to_the_message_the_shopper_clicked_not_the_last_one_sent()
    {
        var email = NormalizedEvents.NewEmail();
        await api.PostEventAsync(events.AbandonedCheckout("chk-clicked", email));
        var id = (string)(await api.EnrollmentAsync(events.StoreId, "abandoned-checkout"))["id"]!;
        var timeline = await api.WaitForAsync(id, t => Steps(t).Take(2).All(s => State(s) == "sent"));
        var firstStep = (string)Steps(timeline).First()["idempotency_key"]!;

        // The shopper clicks the first email's button after the second email has gone out, then buys.
        await api.PostDeliveryEventAsync(new
        {
            event_id = Guid.NewGuid().ToString("N"), idempotency_key = firstStep, store_id = events.StoreId, email, type = "clicked",
            occurred_at = DateTimeOffset.UtcNow, link_index = 0, url = $"https://{events.StoreId}/?flx_s=chk-clicked",
        });
        await api.PostEventAsync(events.AbandonedCheckout("chk-clicked", email, sessionState: "COMPLETED", totalPayable: 1260));

        var recovered = Assert.Single((await api.TimelineAsync(id))["timeline"]!.AsArray(), t => (string)t!["kind"]! == "recovered")!;
        Assert.Equal(1, (int)recovered["step"]!);
        Assert.Equal(1260m, (decimal)recovered["revenue"]!);
    }

    [Fact]
    public async Task Repeated_checkout_updates_make_one_enrollment_with_the_latest_cart()
    {
        var email = NormalizedEvents.NewEmail();
        var first = DateTimeOffset.UtcNow;
        await api.PostEventAsync(events.AbandonedCheckout("chk-again", email, "INITIATED", NormalizedEvents.Cart("First Cart Item"), occurredAt: first));
        await api.PostEventAsync(events.AbandonedCheckout("chk-again", email, "PAYMENT_LOADED", NormalizedEvents.Cart("Latest Cart Item"), occurredAt: first.AddSeconds(1)));
        // An older delivery arriving late changes neither the cart nor the state.
        await api.PostEventAsync(events.AbandonedCheckout("chk-again", email, "PHONE_ENTERED", NormalizedEvents.Cart("Stale Cart Item"), occurredAt: first.AddMilliseconds(500)));

        var enrollment = await api.EnrollmentAsync(events.StoreId, "abandoned-checkout");
        Assert.Equal("PAYMENT_LOADED", (string)enrollment["session_state"]!);
        var id = (string)enrollment["id"]!;
        await api.WaitForAsync(id, t => State(Steps(t).First()) == "sent");

        var request = Assert.Single(await api.OutboxAsync($"enrollment:{id}:step:1"));
        var html = (string)request.Payload["html_body"]!;
        Assert.Contains("Latest Cart Item", html);
        Assert.DoesNotContain("First Cart Item", html);
        Assert.DoesNotContain("Stale Cart Item", html);
    }

    [Fact]
    public async Task A_repeated_event_answers_200_and_changes_nothing()
    {
        var acr = events.AbandonedCheckout("chk-dup", NormalizedEvents.NewEmail());
        var first = await api.PostEventAsync(acr);
        var repeat = await api.PostEventAsync(acr);

        Assert.Equal("accepted", (string)first["status"]!);
        Assert.Equal("duplicate", (string)repeat["status"]!);
        var enrollment = Assert.Single(await api.EnrollmentsAsync(events.StoreId));
        Assert.Equal(3, Steps(await api.TimelineAsync((string)enrollment["id"]!)).Count());
    }

    [Fact]
    public async Task A_batch_answers_each_event_on_its_own_and_one_bad_event_holds_up_none_of_the_others()
    {
        var email = NormalizedEvents.NewEmail();
        var acr = events.AbandonedCheckout("chk-batch", email);
        var missingType = events.AbandonedCheckout("chk-batch-bad", email);
        missingType.Remove("type");
        var asr = events.AbandonedSession("ses-batch", NormalizedEvents.NewEmail());

        var results = await api.PostEventBatchAsync((acr, null), (missingType, null), (acr.DeepClone().AsObject(), null), (asr, null));

        Assert.Equal(["accepted", "invalid", "duplicate", "accepted"], results.Select(r => (string)r["status"]!));
        Assert.Equal([(string)acr["event_id"]!, (string)missingType["event_id"]!, (string)acr["event_id"]!, (string)asr["event_id"]!],
            results.Select(r => (string)r["event_id"]!));
        Assert.True(results[1]["errors"]!.AsObject().ContainsKey("type"));
        // The good events were taken: one enrollment each.
        var checkout = await api.EnrollmentAsync(events.StoreId, "abandoned-checkout");
        Assert.Equal(3, Steps(await api.TimelineAsync((string)checkout["id"]!)).Count());
        await api.EnrollmentAsync(events.StoreId, "abandoned-session");
    }

    [Fact]
    public async Task A_batch_takes_a_shoppers_events_in_the_order_sent_each_seeing_the_ones_before_it()
    {
        // One transaction for the batch: the checkout (second) still ends the session enrollment the first event made,
        // and the shopper who abandoned a checkout is not enrolled for browsing by a session event after it.
        var email = NormalizedEvents.NewEmail();
        var session = events.AbandonedSession("ses-batch-order", email);
        var checkout = events.AbandonedCheckout("chk-batch-order", email);
        var laterSession = events.AbandonedSession("ses-batch-order-2", email);

        var results = await api.PostEventBatchAsync((session, null), (checkout, null), (laterSession, null));

        Assert.Equal(["accepted", "accepted", "accepted"], results.Select(r => (string)r["status"]!));
        var ended = Assert.Single(await api.EnrollmentsAsync(events.StoreId, "abandoned-session"));
        var timeline = await api.TimelineAsync((string)ended["id"]!);
        Assert.Equal("ses-batch-order", (string)ended["subject_key"]!);
        Assert.Equal("ended", (string)timeline["enrollment"]!["state"]!);
        Assert.Equal("checkout abandoned", (string)timeline["enrollment"]!["end_reason"]!);
        Assert.Equal("active", (string)(await api.EnrollmentAsync(events.StoreId, "abandoned-checkout"))["state"]!);
        // Taken in one transaction, at one moment: the three share the time they were taken.
        Assert.Equal(1, await api.ScalarAsync<long>($"""
            SELECT count(DISTINCT received_at) FROM received_events
            WHERE event_id IN ('{session["event_id"]}', '{checkout["event_id"]}', '{laterSession["event_id"]}')
            """));
    }

    [Fact]
    public async Task A_batch_holding_a_checkout_and_then_its_purchase_enrolls_the_checkout_and_the_purchase_ends_it()
    {
        // The batch's events are stored before its rules run (one statement for all of them); the purchase, stored
        // already, must still be unseen by the checkout before it, as when they come one by one: seen, the checkout
        // would be taken for one that "happened before the purchase and arrived after it" and never enrolled.
        var email = NormalizedEvents.NewEmail();
        var checkout = events.AbandonedCheckout("chk-batch-bought", email, occurredAt: DateTimeOffset.UtcNow.AddMinutes(-1));
        var purchase = events.AbandonedCheckout("chk-batch-bought", email, sessionState: "COMPLETED", totalPayable: 1260);

        var results = await api.PostEventBatchAsync((checkout, null), (purchase, null));

        Assert.Equal(["accepted", "accepted"], results.Select(r => (string)r["status"]!));
        var enrollment = Assert.Single(await api.EnrollmentsAsync(events.StoreId, "abandoned-checkout"));
        var timeline = await api.TimelineAsync((string)enrollment["id"]!);
        Assert.Equal("ended", (string)timeline["enrollment"]!["state"]!);
        Assert.Equal("checkout completed", (string)timeline["enrollment"]!["end_reason"]!);
        Assert.Equal("COMPLETED", (string)timeline["enrollment"]!["session_state"]!);
        Assert.All(Steps(timeline), s => Assert.Equal("cancelled", State(s)));
    }

    [Fact]
    public async Task A_batch_finds_what_was_enrolled_before_it_and_is_taken_whole()
    {
        // The batch reads once which of its checkouts and shoppers have enrollments, and skips the reads it knows are
        // empty. Here both are not: the checkout is updated (a second enrollment for it could not be inserted, and the
        // batch would be taken again one by one, at separate moments), and the shopper's session is not enrolled
        // because their checkout sequence is active.
        var email = NormalizedEvents.NewEmail();
        await api.PostEventAsync(events.AbandonedCheckout("chk-batch-known", email, occurredAt: DateTimeOffset.UtcNow.AddMinutes(-1)));
        var enrolled = await api.EnrollmentAsync(events.StoreId, "abandoned-checkout");
        var update = events.AbandonedCheckout("chk-batch-known", email, cart: NormalizedEvents.Cart("Basmati Rice"));
        var session = events.AbandonedSession("ses-batch-known", email);
        var customer = events.NewCustomer(NormalizedEvents.NewEmail());

        var results = await api.PostEventBatchAsync((update, null), (session, null), (customer, null));

        Assert.Equal(["accepted", "accepted", "accepted"], results.Select(r => (string)r["status"]!));
        var checkout = Assert.Single(await api.EnrollmentsAsync(events.StoreId, "abandoned-checkout"));
        Assert.Equal((string)enrolled["id"]!, (string)checkout["id"]!);
        Assert.Equal("Basmati Rice", await api.ScalarAsync<string>(
            $"""
            SELECT r.payload -> 'cart' -> 0 ->> 'title' FROM enrollments e
            JOIN received_events r ON r.store_id = e.store_id AND r.event_id = e.context_event_id WHERE e.id = '{(string)checkout["id"]!}'
            """));
        Assert.Empty(await api.EnrollmentsAsync(events.StoreId, "abandoned-session"));
        Assert.Single(await api.EnrollmentsAsync(events.StoreId, "welcome"));
        Assert.Equal(1, await api.ScalarAsync<long>($"""
            SELECT count(DISTINCT received_at) FROM received_events
            WHERE event_id IN ('{update["event_id"]}', '{session["event_id"]}', '{customer["event_id"]}')
            """));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_batch_updating_one_checkout_three_times_keeps_the_latest_cart_as_one_event_at_a_time_would(bool enrolledBefore)
    {
        // The batch reads the checkout's enrollment once (or begins it, and changes it where it waits to be written), and
        // each update tells it what it wrote: the last delivery, older than the one before it, must be compared with that
        // one, not with what the batch read before any ran. It arrives late with the furthest state: its state counts,
        // its cart does not.
        var email = NormalizedEvents.NewEmail();
        var first = DateTimeOffset.UtcNow.AddMinutes(-1);
        var opening = events.AbandonedCheckout("chk-batch-thrice", email, "INITIATED", NormalizedEvents.Cart("First Cart Item"), occurredAt: first);
        if (enrolledBefore)
        {
            await api.PostEventAsync(opening);
        }

        var results = await api.PostEventBatchAsync([
            .. enrolledBefore ? Array.Empty<(JsonObject, string?)>() : [(opening, null)],
            (events.AbandonedCheckout("chk-batch-thrice", email, "PHONE_ENTERED", NormalizedEvents.Cart("Second Cart Item"), occurredAt: first.AddSeconds(1)), null),
            (events.AbandonedCheckout("chk-batch-thrice", email, "ADDRESS_LOADED", NormalizedEvents.Cart("Latest Cart Item"), occurredAt: first.AddSeconds(3)), null),
            (events.AbandonedCheckout("chk-batch-thrice", email, "PAYMENT_LOADED", NormalizedEvents.Cart("Stale Cart Item"), occurredAt: first.AddSeconds(2)), null)]);

        Assert.All(results, r => Assert.Equal("accepted", (string)r["status"]!));
        var checkout = Assert.Single(await api.EnrollmentsAsync(events.StoreId, "abandoned-checkout"));
        Assert.Equal("PAYMENT_LOADED", (string)checkout["session_state"]!);
        Assert.Equal("Latest Cart Item", await api.ScalarAsync<string>(
            $"""
            SELECT r.payload -> 'cart' -> 0 ->> 'title' FROM enrollments e
            JOIN received_events r ON r.store_id = e.store_id AND r.event_id = e.context_event_id WHERE e.id = '{(string)checkout["id"]!}'
            """));
        Assert.Equal(3, Steps(await api.TimelineAsync((string)checkout["id"]!)).Count());
    }

    [Fact]
    public async Task A_batchs_checkout_ends_the_session_sequence_its_shopper_was_in_before_the_batch()
    {
        // The batch reads once which enrollments of its shoppers are active, with their sequences' exit rules: the
        // session enrollment from before the batch has "checkout abandoned" among them, so the batch's checkout ends it,
        // and a later session of the shopper in the same batch is not enrolled (the checkout sequence is active).
        var email = NormalizedEvents.NewEmail();
        await api.PostEventAsync(events.AbandonedSession("ses-before-batch", email));
        var session = await api.EnrollmentAsync(events.StoreId, "abandoned-session");

        var results = await api.PostEventBatchAsync(
            (events.ProductViewed(email, "Oat Cookies"), null),
            (events.AbandonedCheckout("chk-after-batch-session", email), null),
            (events.AbandonedSession("ses-after-batch-checkout", email), null));

        Assert.Equal(["accepted", "accepted", "accepted"], results.Select(r => (string)r["status"]!));
        var timeline = await api.TimelineAsync((string)session["id"]!);
        Assert.Equal("ended", (string)timeline["enrollment"]!["state"]!);
        Assert.Equal("checkout abandoned", (string)timeline["enrollment"]!["end_reason"]!);
        Assert.All(Steps(timeline), s => Assert.Equal("cancelled", State(s)));
        Assert.Equal("ses-before-batch", (string)Assert.Single(await api.EnrollmentsAsync(events.StoreId, "abandoned-session"))["subject_key"]!);
        Assert.Equal("active", (string)(await api.EnrollmentAsync(events.StoreId, "abandoned-checkout"))["state"]!);
    }

    [Fact]
    public async Task A_batch_finds_the_purchases_made_before_it_and_in_it_and_enrolls_no_checkout_abandoned_before_one()
    {
        // A checkout abandoned before its shopper's purchase and delivered after it (late) starts nothing, whether the
        // purchase came before the batch or earlier in it; a new shopper's checkout in the same batch is enrolled.
        var purchasedAt = DateTimeOffset.UtcNow.AddMinutes(-1);
        var boughtBefore = NormalizedEvents.NewEmail();
        await api.PostEventAsync(events.AbandonedCheckout("chk-batch-paid-before", boughtBefore, "COMPLETED", occurredAt: purchasedAt));
        var boughtInBatch = NormalizedEvents.NewEmail();

        var results = await api.PostEventBatchAsync(
            (events.AbandonedCheckout("chk-batch-paid-before-2", boughtBefore, occurredAt: purchasedAt.AddMinutes(-2)), null),
            (events.AbandonedCheckout("chk-batch-paid-in", boughtInBatch, "COMPLETED", occurredAt: purchasedAt), null),
            (events.AbandonedCheckout("chk-batch-paid-in-2", boughtInBatch, occurredAt: purchasedAt.AddMinutes(-2)), null),
            (events.AbandonedCheckout("chk-batch-new", NormalizedEvents.NewEmail(), occurredAt: purchasedAt.AddMinutes(-2)), null));

        Assert.Equal(["accepted", "accepted", "accepted", "accepted"], results.Select(r => (string)r["status"]!));
        var enrolled = Assert.Single(await api.EnrollmentsAsync(events.StoreId, "abandoned-checkout"));
        Assert.Equal("chk-batch-new", (string)enrolled["subject_key"]!);
    }

    [Fact]
    public async Task A_batch_gives_a_new_checkout_the_shoppers_history_before_it_leaving_out_the_events_after_it()
    {
        // The batch reads the history of its new enrollments' shoppers once, before any rules run, with all its events
        // stored: each checkout's uplift features must still count what came before it (in the database and earlier in
        // the batch) and none of the batch's events after it, as when the events are taken one by one.
        var email = NormalizedEvents.NewEmail();
        var now = DateTimeOffset.UtcNow;
        await PostHistoryAsync(email, now, "chk-history-old");

        await PostBatchAroundAsync(email, now, events.AbandonedCheckout("chk-history-new", email, occurredAt: now.AddMinutes(-1)), "chk-history-other");

        var checkout = Assert.Single(await api.EnrollmentsAsync(events.StoreId, "abandoned-checkout"));
        Assert.Equal("chk-history-new", (string)checkout["subject_key"]!);
        await AssertHistoryCountedAsync((string)checkout["id"]!);
    }

    [Fact]
    public async Task A_batch_gives_a_later_delivery_of_a_checkout_the_shoppers_history_before_it_leaving_out_the_events_after_it()
    {
        // A later delivery of a checkout given a discount arm works its features out again, at its turn in the batch: it
        // must count the purchase and the views before it (before the batch and earlier in it) and none of the batch's
        // events after it.
        var email = NormalizedEvents.NewEmail();
        var now = DateTimeOffset.UtcNow;
        await PostHistoryAsync(email, now, "chk-history-old-2");
        await api.PostEventAsync(events.AbandonedCheckout("chk-history-update", email, occurredAt: now.AddMinutes(-15)));
        var id = (string)(await api.EnrollmentAsync(events.StoreId, "abandoned-checkout"))["id"]!;
        Assert.Equal(1, (int)(float)(await FeaturesAsync(id))["views_before_abandoning"]!);

        await PostBatchAroundAsync(email, now, events.AbandonedCheckout("chk-history-update", email, "PAYMENT_LOADED", occurredAt: now.AddMinutes(-1)), "chk-history-other-2");

        await AssertHistoryCountedAsync(id);
    }

    /// <summary>The shopper's history before the batch: a purchase 30 minutes ago, a product viewed 20 minutes ago.</summary>
    private async Task PostHistoryAsync(string email, DateTimeOffset now, string purchasedCheckout)
    {
        await api.PostEventAsync(events.AbandonedCheckout(purchasedCheckout, email, "COMPLETED", occurredAt: now.AddMinutes(-30)));
        await api.PostEventAsync(At(events.ProductViewed(email, "Oat Cookies"), now.AddMinutes(-20)));
    }

    /// <summary>
    /// One batch: a collection viewed 10 minutes ago, then <paramref name="checkout"/> (a minute ago), then, sent after it,
    /// a product viewed 5 minutes ago and a purchase 3 minutes ago, both before it happened.
    /// </summary>
    private async Task PostBatchAroundAsync(string email, DateTimeOffset now, JsonObject checkout, string otherCheckout)
    {
        var results = await api.PostEventBatchAsync(
            (At(events.CollectionViewed(email, "Breakfast"), now.AddMinutes(-10)), null),
            (checkout, null),
            (At(events.ProductViewed(email, "Ragi Flour"), now.AddMinutes(-5)), null),
            (events.AbandonedCheckout(otherCheckout, email, "COMPLETED", occurredAt: now.AddMinutes(-3)), null));
        Assert.Equal(["accepted", "accepted", "accepted", "accepted"], results.Select(r => (string)r["status"]!));
    }

    /// <summary>The features count the purchase and the two views before the checkout, not the view and purchase sent after it.</summary>
    private async Task AssertHistoryCountedAsync(string enrollmentId)
    {
        var features = await FeaturesAsync(enrollmentId);
        Assert.Equal(1, (int)(float)features["earlier_purchases"]!);
        Assert.Equal(2, (int)(float)features["views_before_abandoning"]!);
    }

    private async Task<JsonNode> FeaturesAsync(string enrollmentId)
        => JsonNode.Parse(await api.ScalarAsync<string>($"SELECT features::text FROM enrollments WHERE id = '{enrollmentId}'"))!;

    private static JsonObject At(JsonObject e, DateTimeOffset occurredAt)
    {
        e["occurred_at"] = occurredAt.ToString("O");
        return e;
    }

    [Fact]
    public async Task An_event_the_database_refuses_is_answered_alone_and_the_rest_of_its_batch_is_taken()
    {
        // Postgres' jsonb refuses \u0000: that event cannot be stored, so the batch cannot be taken in one transaction.
        // Its events are then taken one by one: the refused one is answered invalid, the others are taken.
        var acr = events.AbandonedCheckout("chk-batch-refused-1", NormalizedEvents.NewEmail());
        var refused = events.AbandonedCheckout("chk-batch-refused-2", NormalizedEvents.NewEmail());
        refused["note"] = "nul \u0000 inside";
        var asr = events.AbandonedSession("ses-batch-refused", NormalizedEvents.NewEmail());

        var results = await api.PostEventBatchAsync((acr, null), (refused, null), (asr, null));

        Assert.Equal(["accepted", "invalid", "accepted"], results.Select(r => (string)r["status"]!));
        Assert.Equal((string)refused["event_id"]!, (string)results[1]["event_id"]!);
        Assert.StartsWith("cannot be stored (SQLSTATE 22", (string)results[1]["errors"]!["event"]![0]!);
        var checkout = Assert.Single(await api.EnrollmentsAsync(events.StoreId, "abandoned-checkout"));
        Assert.Equal("chk-batch-refused-1", (string)checkout["subject_key"]!);
        Assert.Single(await api.EnrollmentsAsync(events.StoreId, "abandoned-session"));
        Assert.Equal(0, await api.ScalarAsync<long>(
            $"SELECT count(*) FROM received_events WHERE event_id = '{(string)refused["event_id"]!}'"));
    }

    [Fact]
    public async Task An_event_in_a_batch_goes_on_in_the_trace_it_came_with()
    {
        var traceId = System.Diagnostics.ActivityTraceId.CreateRandom().ToHexString();
        var acr = events.AbandonedCheckout("chk-batch-trace", NormalizedEvents.NewEmail());

        await api.PostEventBatchAsync((acr, $"00-{traceId}-00f067aa0ba902b7-01"));

        // The steps it scheduled keep that trace, so their firing and the email continue it.
        var checkout = await api.EnrollmentAsync(events.StoreId, "abandoned-checkout");
        var stepTrace = await api.ScalarAsync<string>(
            $"SELECT trace_parent FROM scheduled_steps WHERE enrollment_id = '{(string)checkout["id"]!}' AND step_number = 1");
        Assert.Equal(traceId, stepTrace.Split('-')[1]);
    }

    [Fact]
    public async Task Abandoned_checkout_ends_the_shoppers_open_session_sequence()
    {
        var email = NormalizedEvents.NewEmail();
        await api.PostEventAsync(events.AbandonedSession("sess-1", email));
        var session = await api.EnrollmentAsync(events.StoreId, "abandoned-session");
        Assert.Equal("active", (string)session["state"]!);

        await api.PostEventAsync(events.AbandonedCheckout("chk-after-session", email));

        var timeline = await api.TimelineAsync((string)session["id"]!);
        Assert.Equal("ended", (string)timeline["enrollment"]!["state"]!);
        Assert.Equal("checkout abandoned", (string)timeline["enrollment"]!["end_reason"]!);
        Assert.All(Steps(timeline), s => Assert.Equal("cancelled", State(s)));
        Assert.Equal("active", (string)(await api.EnrollmentAsync(events.StoreId, "abandoned-checkout"))["state"]!);
    }

    [Fact]
    public async Task A_shopper_without_email_is_enrolled_and_each_step_is_skipped_with_the_reason()
    {
        await api.PostEventAsync(events.AbandonedCheckout("chk-no-email", email: null));

        var id = (string)(await api.EnrollmentAsync(events.StoreId, "abandoned-checkout"))["id"]!;
        var timeline = await api.WaitForAsync(id, AllDone);

        Assert.All(Steps(timeline), s =>
        {
            Assert.Equal("skipped", State(s));
            Assert.Equal("no email address", (string)s["reason"]!);
        });
        Assert.Empty(await api.OutboxAsync($"enrollment:{id}:"));
    }

    [Fact]
    public async Task A_step_whose_enrollments_event_is_gone_is_skipped_with_the_reason_and_sends_nothing()
    {
        // An enrollment renders the event it names in received_events. Were that row gone (deleted by hand), its steps
        // could not render the cart: each is skipped, visibly, rather than sent without it or left to fail on every round.
        var email = NormalizedEvents.NewEmail();
        var checkout = events.AbandonedCheckout("chk-event-gone", email);
        await api.PostEventAsync(checkout);
        var id = (string)(await api.EnrollmentAsync(events.StoreId, "abandoned-checkout"))["id"]!;
        await using (await api.HoldShopperLockAsync(events.StoreId, email))
        {
            Assert.Equal(1, await api.ExecuteAsync(
                $"DELETE FROM received_events WHERE store_id = '{events.StoreId}' AND event_id = '{checkout["event_id"]}'"));
        }

        var timeline = await api.WaitForAsync(id, AllDone);

        Assert.All(Steps(timeline), s =>
        {
            Assert.Equal("skipped", State(s));
            Assert.Equal("enrollment's event missing", (string)s["reason"]!);
        });
        Assert.Empty(await api.OutboxAsync($"enrollment:{id}:"));
    }

    [Fact]
    public async Task Frequency_cap_skips_a_second_recovery_message_due_within_the_window()
    {
        // Another shopper's checkout first: a stack's first intake compiles its code paths, which put the two checkouts'
        // first steps 0.81 s apart when this test ran first on a new stack, further apart than the half-second window.
        await api.PostEventAsync(events.AbandonedCheckout("chk-cap-warm", NormalizedEvents.NewEmail()));
        var email = NormalizedEvents.NewEmail();
        await api.PostEventAsync(events.AbandonedCheckout("chk-cap-a", email));
        await api.PostEventAsync(events.AbandonedCheckout("chk-cap-b", email));

        var enrollments = (await api.EnrollmentsAsync(events.StoreId, "abandoned-checkout"))
            .Where(e => (string)e["subject_key"]! is "chk-cap-a" or "chk-cap-b")
            .OrderBy(e => (DateTimeOffset)e["enrolled_at"]!).ToList();
        Assert.Equal(2, enrollments.Count);
        var first = await api.WaitForAsync((string)enrollments[0]["id"]!, t => State(Steps(t).First()) != "scheduled");
        var second = await api.WaitForAsync((string)enrollments[1]["id"]!, t => State(Steps(t).First()) != "scheduled");

        Assert.Equal("sent", State(Steps(first).First()));
        var apart = (DateTimeOffset)Steps(second).First()["due_at"]! - (DateTimeOffset)Steps(first).First()["due_at"]!;
        Assert.True(apart.Duration() < TimeSpan.FromSeconds(0.5), $"the two first steps are due {apart.TotalSeconds:F2} s apart, outside the window");
        Assert.Equal("skipped", State(Steps(second).First()));
        Assert.Equal("frequency cap", (string)Steps(second).First()["reason"]!);
    }

    [Fact]
    public async Task Unsubscribe_from_notifier_ends_every_enrollment_of_the_address()
    {
        var email = NormalizedEvents.NewEmail();
        await api.PostEventAsync(events.AbandonedCheckout("chk-unsub", email));
        await api.PostEventAsync(events.NewCustomer(email));

        await api.PostDeliveryEventAsync(new
        {
            event_id = Guid.NewGuid().ToString("N"), idempotency_key = (string?)null, store_id = events.StoreId,
            email = email.ToUpperInvariant(), type = "unsubscribed", occurred_at = DateTimeOffset.UtcNow, smtp_reply = (string?)null,
        });

        var enrollments = await api.EnrollmentsAsync(events.StoreId);
        Assert.Equal(2, enrollments.Count);
        foreach (var enrollment in enrollments)
        {
            var timeline = await api.TimelineAsync((string)enrollment["id"]!);
            Assert.Equal("ended", (string)timeline["enrollment"]!["state"]!);
            Assert.Equal("unsubscribed", (string)timeline["enrollment"]!["end_reason"]!);
            Assert.DoesNotContain(Steps(timeline), s => State(s) == "scheduled");
        }
    }

    [Fact]
    public async Task A_purchase_ends_the_welcome_flows_discount_step()
    {
        var email = NormalizedEvents.NewEmail();
        await api.PostEventAsync(events.NewCustomer(email));
        var welcome = (string)(await api.EnrollmentAsync(events.StoreId, "welcome"))["id"]!;
        await api.WaitForAsync(welcome, t => State(Steps(t).First()) == "sent");

        await api.PostEventAsync(events.AbandonedCheckout("chk-bought", email, sessionState: "COMPLETED"));

        var timeline = await api.TimelineAsync(welcome);
        var discountStep = Steps(timeline).Last();
        Assert.Equal("cancelled", State(discountStep));
        Assert.Equal("purchase ends discount step", (string)discountStep["reason"]!);
    }

    [Fact]
    public async Task A_shopper_in_a_checkout_sequence_is_not_enrolled_for_an_abandoned_session()
    {
        var email = NormalizedEvents.NewEmail();
        await api.PostEventAsync(events.AbandonedCheckout("chk-first", email));
        await api.PostEventAsync(events.AbandonedSession("sess-later", email));

        Assert.Empty(await api.EnrollmentsAsync(events.StoreId, "abandoned-session"));
        Assert.Single(await api.EnrollmentsAsync(events.StoreId, "abandoned-checkout"));
    }

    [Fact]
    public async Task Delivery_events_from_notifier_are_recorded_on_the_step_once()
    {
        await api.PostEventAsync(events.NewCustomer(NormalizedEvents.NewEmail()));
        var id = (string)(await api.EnrollmentAsync(events.StoreId, "welcome"))["id"]!;
        var timeline = await api.WaitForAsync(id, t => State(Steps(t).First()) == "sent");
        var key = (string)Steps(timeline).First()["idempotency_key"]!;
        var eventId = Guid.NewGuid().ToString("N");

        await api.PostDeliveryEventAsync(new { event_id = eventId, idempotency_key = key, store_id = events.StoreId, type = "sent", occurred_at = DateTimeOffset.UtcNow, smtp_reply = "250 2.0.0 Ok" });
        // A later event reusing the id is a repeat and changes nothing.
        await api.PostDeliveryEventAsync(new { event_id = eventId, idempotency_key = key, store_id = events.StoreId, type = "failed", occurred_at = DateTimeOffset.UtcNow, smtp_reply = "451" });

        Assert.Equal("sent", (string)Steps(await api.TimelineAsync(id)).First()["delivery_status"]!);
    }

    public void Dispose() => api.Dispose();
}
