using FlexyPe.Recovery.StackTests.Ingest;
using FlexyPe.Recovery.StackTests.Stack;
using FlexyPe.Simulator.Delivery;
using FlexyPe.Simulator.Generation;
using FlexyPe.Simulator.Reporting;
using Microsoft.Extensions.DependencyInjection;

namespace FlexyPe.Recovery.StackTests.Simulator;

/// <summary>The simulator against the real stack: what it reports as acknowledged is what Ingest stored.</summary>
[Collection(RecoveryStackCollection.Name)]
public sealed class SimulatorStackTests(RecoveryStack stack)
{
    private static readonly Dictionary<string, string> StoredType = new()
    {
        [nameof(EventKind.ProductViewed)] = "product_viewed",
        [nameof(EventKind.CollectionViewed)] = "collection_viewed",
        [nameof(EventKind.AbandonedSession)] = "abandoned_session",
        [nameof(EventKind.AbandonedCheckout)] = "abandoned_checkout",
        [nameof(EventKind.NewCustomer)] = "new_customer",
    };

    [Fact]
    public async Task Every_event_the_simulator_reports_acknowledged_is_stored_and_duplicates_were_acknowledged_as_duplicates()
    {
        var runId = Guid.NewGuid().ToString("N")[..8];
        var generator = new JourneyGenerator(new GeneratorOptions { Seed = 2026, RunId = runId, Stores = 2 });
        var journeys = generator.Generate(15).ToList();
        var options = new DeliveryOptions
        {
            Target = new Uri(stack.App.GetEndpoint("ingest", "http"), "/webhooks/flexype"),
            Secret = stack.WebhookSecret,
            DuplicateRate = 0.3,
            RetryScale = 0.001,
            Seed = 2026,
        };
        using var http = WebhookSender.CreateClient(options.Concurrency);
        var sender = new WebhookSender(http, options, new DeliveryCounters());

        var records = await JourneyRunner.RunAsync(journeys, sender, CancellationToken.None);
        var report = SimulationReport.Summarize(records);

        Assert.Equal(journeys.Sum(j => j.Events.Count), report.Events);
        Assert.Equal(report.Events, report.Acknowledged);
        Assert.True(report.DuplicatesSent > 0, "a 30% duplicate rate over this run should send some duplicates");
        Assert.Equal(report.DuplicatesSent, report.DuplicatesAcknowledgedAsDuplicate);
        // A first delivery is new to Ingest, unless an earlier attempt of it was committed but answered too late (then
        // the retry is rightly a duplicate: the event was stored once).
        Assert.All(records.Where(r => r.Delivery.Attempts.Count == 1), r => Assert.False(r.Delivery.AcknowledgedAsDuplicate,
            $"first delivery of {r.EventId} ({r.Kind} {r.PayloadVersion}) was called a duplicate after {r.Delivery.Attempts[0].LatencyMs:F0} ms"));

        using var ingest = new IngestClient(stack);
        foreach (var record in records)
        {
            var stored = await ingest.GetEventAsync(record.EventId, record.StoreDomain);
            Assert.True(stored is not null, $"{record.EventId} ({record.Kind}, {record.PayloadVersion}) was acknowledged but is not stored");
            Assert.Equal(StoredType[record.Kind], stored.Value.GetProperty("event").At("type"));
            Assert.Equal(record.PayloadVersion, stored.Value.GetProperty("event").At("payload_version"));
            if (record.CheckoutKey is not null)
            {
                Assert.Equal(record.CheckoutKey, stored.Value.GetProperty("event").At("checkout_key"));
            }
        }

        // Nothing more than what was acknowledged: each store's events of this run are exactly the reported ones.
        foreach (var store in records.GroupBy(r => r.StoreDomain))
        {
            var listed = await ingest.ListEventsAsync($"store={store.Key}&limit=1000");
            var ofThisRun = listed.Select(e => e.At("event_id")!).Where(id => id.StartsWith($"evt_{runId}_", StringComparison.Ordinal));
            Assert.Equal(store.Select(r => r.EventId).Order(), ofThisRun.Order());
        }
    }

    [Fact]
    public async Task The_dashboards_send_sample_journey_command_stores_a_checkout_in_every_payload_version()
    {
        var commands = stack.App.Services.GetRequiredService<ResourceCommandService>();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        var result = await commands.ExecuteCommandAsync("ingest", "send-sample-journey", cts.Token);

        Assert.True(result.Success, result.Message);
        var runId = System.Text.RegularExpressions.Regex.Match(result.Message ?? "", @"evt_([0-9a-f]{8})_").Groups[1].Value;
        Assert.NotEmpty(runId);
        using var ingest = new IngestClient(stack);
        var stored = (await ingest.ListEventsAsync("type=abandoned_checkout&limit=1000"))
            .Where(e => e.At("event_id")!.StartsWith($"evt_{runId}", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(["2025-09", "2026-05", "legacy"], stored.Select(e => e.At("payload_version")!).Distinct().Order());
    }
}
