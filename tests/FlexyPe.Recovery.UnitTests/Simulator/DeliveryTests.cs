using FlexyPe.Simulator.Delivery;
using FlexyPe.Simulator.Generation;

namespace FlexyPe.Recovery.UnitTests.Simulator;

/// <summary>The simulator against a scripted receiver: FlexyPe's retry rules, headers and duplicates.</summary>
public sealed class SimulatorDeliveryTests
{
    private const string Secret = "test-secret-not-real";

    private static SimulatedEvent OneEvent(string version = PayloadVersions.V2026_05) =>
        new JourneyGenerator(new GeneratorOptions { Seed = 9, Version = version, RunId = Guid.NewGuid().ToString("N")[..8] }).Next().Events[0];

    private static (WebhookSender Sender, HttpClient Http) Sender(Uri url, double retryScale = 0.0001, TimeSpan? timeout = null, double duplicateRate = 0)
    {
        var options = new DeliveryOptions
        {
            Target = url, Secret = Secret, RetryScale = retryScale, Timeout = timeout ?? TimeSpan.FromSeconds(10), DuplicateRate = duplicateRate,
        };
        var http = WebhookSender.CreateClient(4);
        return (new WebhookSender(http, options, new DeliveryCounters()), http);
    }

    [Fact]
    public async Task Non_200_answers_are_retried_on_the_scaled_schedule_with_the_same_event_id()
    {
        using var receiver = new ScriptedReceiver((n, _) => Task.FromResult(n < 2 ? 503 : 200));
        var (sender, http) = Sender(receiver.Url);
        using var _ = http;
        var e = OneEvent();

        var delivery = await sender.DeliverAsync(e, CancellationToken.None);

        var requests = receiver.Requests.ToList();
        Assert.Equal(3, requests.Count);
        Assert.All(requests, r =>
        {
            Assert.Equal(e.EventId, r.EventId);
            Assert.Equal(Secret, r.Secret);
            Assert.Equal("2026-05", r.Version);
            Assert.Equal(e.Body, r.Body);
        });
        Assert.Equal([503, 503, 200], delivery.Attempts.Select(a => a.Status ?? 0));
        // 1 and 5 minutes, scaled by 0.0001: the first and second waits of FlexyPe's schedule, in that order.
        Assert.Equal([0.0, 6.0, 30.0], delivery.Attempts.Select(a => a.PlannedDelayMs));
        Assert.Equal(DeliveryRecord.Acknowledged, delivery.Status);
        Assert.Equal(1, sender.Counters.Acknowledged);
    }

    [Fact]
    public async Task A_delivery_never_answered_200_fails_after_three_retries()
    {
        using var receiver = new ScriptedReceiver((_, _) => Task.FromResult(500));
        var (sender, http) = Sender(receiver.Url);
        using var _ = http;

        var delivery = await sender.DeliverAsync(OneEvent(), CancellationToken.None);

        Assert.Equal(4, receiver.Requests.Count);
        Assert.Equal([0.0, 6.0, 30.0, 90.0], delivery.Attempts.Select(a => a.PlannedDelayMs));
        Assert.Equal(DeliveryRecord.Failed, delivery.Status);
        Assert.Equal(1, sender.Counters.Failed);
    }

    [Fact]
    public async Task An_answer_later_than_the_timeout_is_a_failed_attempt_and_retried()
    {
        using var receiver = new ScriptedReceiver(async (n, _) =>
        {
            if (n == 0)
            {
                await Task.Delay(TimeSpan.FromSeconds(4));
            }
            return 200;
        });
        var (sender, http) = Sender(receiver.Url, timeout: TimeSpan.FromMilliseconds(1500));
        using var _ = http;

        var delivery = await sender.DeliverAsync(OneEvent(), CancellationToken.None);

        Assert.Equal("timeout", delivery.Attempts[0].Error);
        Assert.Null(delivery.Attempts[0].Status);
        Assert.Equal(200, delivery.Attempts[1].Status);
        Assert.Equal(DeliveryRecord.Acknowledged, delivery.Status);
    }

    [Fact]
    public async Task Legacy_deliveries_carry_no_version_header()
    {
        using var receiver = new ScriptedReceiver((_, _) => Task.FromResult(200));
        var (sender, http) = Sender(receiver.Url);
        using var _ = http;

        await sender.DeliverAsync(OneEvent(PayloadVersions.Legacy), CancellationToken.None);

        var request = Assert.Single(receiver.Requests);
        Assert.Null(request.Version);
        Assert.NotNull(request.EventId);
    }

    [Fact]
    public async Task At_duplicate_rate_one_every_acknowledged_event_is_delivered_twice_with_its_id()
    {
        using var receiver = new ScriptedReceiver((_, _) => Task.FromResult(200));
        var (sender, http) = Sender(receiver.Url, duplicateRate: 1);
        using var _ = http;
        var journeys = new JourneyGenerator(new GeneratorOptions { Seed = 4, RunId = "dup" }).Generate(5).ToList();

        var records = await JourneyRunner.RunAsync(journeys, sender, CancellationToken.None);

        var sent = journeys.SelectMany(j => j.Events).Select(e => e.EventId).ToList();
        Assert.Equal(sent.Order(), records.Select(r => r.EventId).Order());
        Assert.All(records, r => Assert.Single(r.Duplicates));
        Assert.Equal(sent.SelectMany(id => new[] { id, id }).Order(), receiver.Requests.Select(r => r.EventId!).Order());
    }
}
