using System.Text.Json;
using FlexyPe.Simulator.Delivery;
using FlexyPe.Simulator.Generation;

namespace FlexyPe.Recovery.UnitTests.Simulator;

public sealed class GenerationTests
{
    private static List<Journey> Journeys(int seed, string version = PayloadVersions.Mixed, int count = 60) =>
        new JourneyGenerator(new GeneratorOptions { Seed = seed, Version = version, RunId = "t1" }).Generate(count).ToList();

    [Fact]
    public void The_same_seed_generates_the_same_journeys()
    {
        var first = Journeys(42).SelectMany(j => j.Events).Select(e => (e.EventId, e.Body)).ToList();
        var second = Journeys(42).SelectMany(j => j.Events).Select(e => (e.EventId, e.Body)).ToList();
        var other = Journeys(43).SelectMany(j => j.Events).Select(e => e.Body).ToList();

        Assert.Equal(first, second);
        Assert.NotEqual(first.Select(e => e.Body), other);
    }

    [Fact]
    public void A_mixed_run_has_every_version_and_every_kind_of_journey_and_event()
    {
        var journeys = Journeys(7, count: 120);

        Assert.Equal(PayloadVersions.All.Order(), journeys.Select(j => j.PayloadVersion).Distinct().Order());
        Assert.Equal(Enum.GetValues<JourneyKind>().Order(), journeys.Select(j => j.Kind).Distinct().Order());
        Assert.Equal(Enum.GetValues<EventKind>().Order(), journeys.SelectMany(j => j.Events).Select(e => e.Kind).Distinct().Order());
        Assert.Contains(journeys, j => j.Kind == JourneyKind.Checkout && j.Completed);
        Assert.Contains(journeys, j => j.Kind == JourneyKind.Checkout && !j.Completed);
    }

    [Fact]
    public void Browsing_journeys_end_in_an_abandoned_session_fifteen_minutes_after_the_last_view()
    {
        foreach (var journey in Journeys(11, PayloadVersions.V2026_05).Where(j => j.Kind == JourneyKind.Browsing))
        {
            Assert.Equal(EventKind.AbandonedSession, journey.Events[^1].Kind);
            Assert.All(journey.Events.SkipLast(1), e => Assert.Contains(e.Kind, new[] { EventKind.ProductViewed, EventKind.CollectionViewed }));
            var asr = JsonDocument.Parse(journey.Events[^1].Body).RootElement.GetProperty("payload");
            Assert.Equal(journey.Events[^1].OccurredAt.AddMinutes(-15), asr.GetProperty("last_activity_at").GetDateTimeOffset());
        }
    }

    [Fact]
    public void A_checkout_keeps_its_session_and_only_moves_forward_through_session_state()
    {
        var order = CheckoutStates.Progress.Append(CheckoutStates.Completed).ToList();
        var checkouts = Journeys(5).Where(j => j.Kind == JourneyKind.Checkout).ToList();
        Assert.NotEmpty(checkouts);
        foreach (var journey in checkouts)
        {
            var acr = journey.Events.Where(e => e.Kind == EventKind.AbandonedCheckout).ToList();
            Assert.Equal("INITIATED", acr[0].SessionState);
            Assert.Single(acr.Select(e => e.CheckoutKey).Distinct());
            var positions = acr.Select(e => order.IndexOf(e.SessionState!)).ToList();
            Assert.Equal(positions.Order(), positions);
            Assert.Equal(positions.Count, positions.Distinct().Count());
            Assert.All(acr, e => Assert.Contains($"flx_s={e.CheckoutKey}", e.Body, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData(PayloadVersions.V2026_05)]
    [InlineData(PayloadVersions.V2025_09)]
    [InlineData(PayloadVersions.Legacy)]
    public void Each_version_writes_the_documented_shape(string version)
    {
        foreach (var e in Journeys(3, version).SelectMany(j => j.Events))
        {
            var body = JsonDocument.Parse(e.Body).RootElement;
            Assert.Equal(version == PayloadVersions.Legacy ? null : version, e.VersionHeader);
            switch (version, e.Kind)
            {
                case (PayloadVersions.V2026_05, _):
                    Assert.Equal(e.EventId, body.GetProperty("event_id").GetString());
                    Assert.Equal(e.StoreDomain, body.GetProperty("store").GetProperty("shopify_domain").GetString());
                    Assert.Equal(JsonValueKind.Object, body.GetProperty("payload").GetProperty("user").ValueKind);
                    break;
                case (PayloadVersions.V2025_09, EventKind.NewCustomer):
                    Assert.False(body.TryGetProperty("event_id", out _), "2025-09 new customer identifies itself only by the header");
                    Assert.Equal(e.StoreDomain, body.GetProperty("store_domain").GetString());
                    break;
                case (PayloadVersions.Legacy, EventKind.NewCustomer):
                    Assert.Equal("new_customer", body.GetProperty("event_type").GetString());
                    Assert.StartsWith("+91", body.GetProperty("customer").GetProperty("phone").GetString(), StringComparison.Ordinal);
                    break;
                case (PayloadVersions.Legacy, EventKind.AbandonedCheckout):
                    Assert.Equal(e.StoreDomain, body.GetProperty("store_link").GetString());
                    Assert.True(body.GetProperty("user").TryGetProperty("phone_no", out _));
                    break;
                case (_, EventKind.AbandonedSession):
                    Assert.Equal(e.StoreDomain, body.GetProperty("shopify_domain").GetString());
                    Assert.True(body.TryGetProperty("merchant_id", out _));
                    break;
                case (_, EventKind.AbandonedCheckout):
                    Assert.Equal(e.StoreDomain, body.GetProperty("shopify_domain").GetString());
                    Assert.False(body.TryGetProperty("event_type", out _));
                    break;
                default:
                    Assert.Fail($"{version} has no documented {e.Kind} webhook, yet one was generated");
                    break;
            }
        }
    }

    [Fact]
    public void The_duplicate_choice_follows_the_rate_and_the_seed()
    {
        var ids = Enumerable.Range(0, 2000).Select(i => $"evt_x_{i:x6}").ToList();
        DeliveryOptions Options(double rate, int seed) => new() { Target = new Uri("http://127.0.0.1/"), Secret = "s", DuplicateRate = rate, Seed = seed };

        Assert.DoesNotContain(ids, Options(0, 1).ShouldDuplicate);
        Assert.All(ids, id => Assert.True(Options(1, 1).ShouldDuplicate(id)));
        var chosen = ids.Where(Options(0.2, 1).ShouldDuplicate).ToList();
        Assert.InRange(chosen.Count, 300, 500);
        Assert.Equal(chosen, ids.Where(Options(0.2, 1).ShouldDuplicate));
        Assert.NotEqual(chosen, ids.Where(Options(0.2, 2).ShouldDuplicate));
    }

    [Fact]
    public void The_retry_schedule_is_FlexyPes_scaled()
    {
        var options = new DeliveryOptions { Target = new Uri("http://127.0.0.1/"), Secret = "s", RetryScale = 0.001 };

        Assert.Equal([60.0, 300.0, 900.0], options.RetrySchedule.Select(d => d.TotalMilliseconds));
        Assert.Empty((options with { Retry = false }).RetrySchedule);
    }
}
