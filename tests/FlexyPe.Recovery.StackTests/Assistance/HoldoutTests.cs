using System.Text.Json.Nodes;
using FlexyPe.Recovery.StackTests.Notifier;
using FlexyPe.Recovery.StackTests.Workflows;
using static FlexyPe.Recovery.StackTests.Workflows.WorkflowsApi;

namespace FlexyPe.Recovery.StackTests.Assistance;

/// <summary>
/// The holdout on the real stack (docs/uplift.md): a store's own share holds enrollments out of its messages, the
/// assignment stays with the checkout, and the holdout report counts what held-out shoppers bought anyway.
/// </summary>
[Collection(WorkflowsStackCollection.Name)]
public sealed class HoldoutTests(WorkflowsStack stack) : IDisposable
{
    private readonly WorkflowsApi api = new(stack);
    private readonly NormalizedEvents events = new();

    [Fact]
    public async Task A_held_out_enrollment_sends_nothing_and_its_purchase_counts_in_the_holdout_report()
    {
        await RegisterStoreAsync();
        await api.PutSettingsAsync(events.StoreId, new { uplift = new { holdout_share = 1.0 } });
        var email = NormalizedEvents.NewEmail();
        await api.PostEventAsync(events.AbandonedCheckout("chk-held", email));

        var enrollment = await api.EnrollmentAsync(events.StoreId, "abandoned-checkout");
        Assert.True((bool)enrollment["held_out"]!);
        Assert.Null(enrollment["discount_arm"]);
        var id = (string)enrollment["id"]!;
        var timeline = await api.WaitForAsync(id, t => Steps(t).All(s => State(s) != "scheduled"));
        Assert.All(Steps(timeline), s =>
        {
            Assert.Equal("skipped", State(s));
            Assert.Equal("held out", (string)s["reason"]!);
        });
        Assert.Empty(await api.OutboxAsync($"enrollment:{id}:"));

        await api.PostEventAsync(events.AbandonedCheckout("chk-held", email, sessionState: "COMPLETED", totalPayable: 1260));

        var after = await api.TimelineAsync(id);
        Assert.Contains(after["timeline"]!.AsArray(), t => (string)t!["kind"]! == "purchased" && (decimal)t["revenue"]! == 1260m);
        var report = await api.GetJsonAsync($"/api/stores/{Uri.EscapeDataString(events.StoreId)}/reports/holdout");
        Assert.Equal(1.0, (double)report["holdout_share"]!);
        var comparisons = report["comparisons"]!.AsArray().Select(c => c!.AsObject()).ToList();
        var overall = comparisons.Single(c => c["sequence_key"] is null);
        var perSequence = comparisons.Single(c => (string?)c["sequence_key"] == "abandoned-checkout");
        foreach (var comparison in new[] { overall, perSequence })
        {
            var heldOut = comparison["held_out"]!;
            Assert.Equal(1, (int)heldOut["enrollments"]!);
            Assert.Equal(1, (int)heldOut["recoveries"]!);
            Assert.Equal(1.0, (double)heldOut["recovery_rate"]!);
            Assert.Equal(1260.0, (double)heldOut["revenue_per_abandonment"]!);
            Assert.Equal(0, (int)comparison["treated"]!["enrollments"]!);
        }

        // The shopper's mailbox stayed empty: nothing was sent, before or after the purchase.
        using var mailHttp = stack.App.CreateHttpClient("mail", "http");
        Assert.Empty(await new MailSink(mailHttp).MessagesToAsync(email));
    }

    [Fact]
    public async Task A_checkout_delivered_again_keeps_its_holdout_and_discount_arm()
    {
        await RegisterStoreAsync();
        await api.PutSettingsAsync(events.StoreId, new { uplift = new { holdout_share = 0.5, exploration_share = 0.3 } });
        const int checkouts = 24;
        for (var i = 0; i < checkouts; i++)
        {
            await api.PostEventAsync(events.AbandonedCheckout($"chk-stable-{i}", NormalizedEvents.NewEmail(), sessionState: "ADDRESS_LOADED"));
        }
        var first = (await api.EnrollmentsAsync(events.StoreId, "abandoned-checkout")).ToDictionary(e => (string)e["subject_key"]!);
        Assert.Equal(checkouts, first.Count);
        // Both sides of the holdout and more than one arm: the redelivery below can show a change if there were one.
        Assert.Contains(first.Values, e => (bool)e["held_out"]!);
        Assert.Contains(first.Values, e => !(bool)e["held_out"]!);
        Assert.All(first.Values.Where(e => (bool)e["held_out"]!), e => Assert.Null(e["discount_arm"]));
        Assert.True(first.Values.Select(e => (string?)e["discount_arm"]).Where(a => a is not null).Distinct().Count() > 1,
            "the treated enrollments were drawn into more than one discount arm");

        // What the uplift model scores a treated enrollment by (its features) follows the checkout's furthest state too.
        async Task<Dictionary<string, double>> FeatureStatesAsync() => (await api.QueryAsync(
            $"SELECT subject_key, (features ->> 'session_state')::float8 FROM enrollments WHERE store_id = '{events.StoreId}' AND features IS NOT NULL"))
            .ToDictionary(r => (string)r[0]!, r => (double)r[1]!);
        var featuresBefore = await FeatureStatesAsync();
        Assert.Equal(first.Values.Count(e => e["discount_arm"] is not null), featuresBefore.Count);

        // The store's shares change, then every checkout is delivered again, further along.
        await api.PutSettingsAsync(events.StoreId, new { uplift = new { holdout_share = 0.0, exploration_share = 0.0 } });
        var emails = first.Values.ToDictionary(e => (string)e["subject_key"]!, e => (string)e["email"]!);
        foreach (var (checkout, email) in emails)
        {
            await api.PostEventAsync(events.AbandonedCheckout(checkout, email, sessionState: "PAYMENT_LOADED"));
        }

        var second = (await api.EnrollmentsAsync(events.StoreId, "abandoned-checkout")).ToDictionary(e => (string)e["subject_key"]!);
        Assert.Equal(first.Keys.Order(), second.Keys.Order());
        foreach (var (checkout, before) in first)
        {
            var now = second[checkout];
            Assert.Equal((string)before["id"]!, (string)now["id"]!);
            Assert.Equal("PAYMENT_LOADED", (string)now["session_state"]!);
            Assert.Equal((bool)before["held_out"]!, (bool)now["held_out"]!);
            Assert.Equal((string?)before["discount_arm"], (string?)now["discount_arm"]);
        }
        var featuresAfter = await FeatureStatesAsync();
        Assert.Equal(featuresBefore.Keys.Order(), featuresAfter.Keys.Order());
        Assert.All(featuresBefore, f => Assert.True(featuresAfter[f.Key] > f.Value,
            $"{f.Key}: the features' session state stayed {f.Value} after a delivery further along"));
    }

    private async Task RegisterStoreAsync() => await api.PostEventAsync(events.ProductViewed(NormalizedEvents.NewEmail(), "Store opener"));

    public void Dispose() => api.Dispose();
}
