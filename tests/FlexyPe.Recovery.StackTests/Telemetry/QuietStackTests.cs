using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FlexyPe.Recovery.StackTests.Ingest;
using FlexyPe.Recovery.StackTests.Notifier;
using FlexyPe.Recovery.StackTests.Stack;
using FlexyPe.Recovery.StackTests.Workflows;

namespace FlexyPe.Recovery.StackTests.Telemetry;

/// <summary>
/// The whole stack, every service exporting its telemetry to one OTLP receiver, with every sweep and every poller's
/// longest sleep set to ten minutes: within a test, only wake-ups can move work along. Time is compressed 3600× and an
/// abandoned checkout has one step, due at once, so a webhook becomes an email in seconds and nothing is due later.
/// </summary>
public sealed class QuietStack : ServingWorkflowsStack, IAsyncLifetime
{
    public OtlpReceiver Otlp { get; } = new();

    protected override IEnumerable<string> ExtraArguments =>
    [
        "--Workflows:TimeScale=3600",
        "--Workflows:QuietHours:Enabled=false",
        "--Workflows:FrequencyCap=00:00:00",
        "--Workflows:Seed:AbandonedCheckoutDelays=00:00:01",
        "--Ingest:Outbox:SweepInterval=00:10:00",
        "--Workflows:Outbox:SweepInterval=00:10:00",
        "--Notifier:Outbox:SweepInterval=00:10:00",
        "--Workflows:Scheduling:MaxSleep=00:10:00",
        "--Notifier:Sending:MaxSleep=00:10:00",
    ];

    protected override void Configure(IDistributedApplicationTestingBuilder builder)
    {
        foreach (var service in Services)
        {
            var project = builder.CreateResourceBuilder<ProjectResource>(service);
            foreach (var (name, value) in Otlp.Settings)
            {
                project.WithEnvironment(name, value);
            }
        }
    }

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Otlp.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class QuietStackCollection : ICollectionFixture<QuietStack>
{
    public const string Name = "Quiet stack";
}

[Collection(QuietStackCollection.Name)]
public sealed class QuietStackTests(QuietStack stack)
{
    [Fact]
    public async Task An_idle_stack_exports_no_trace_for_a_minute()
    {
        await UntilNoTraceArrivesForAsync(TimeSpan.FromSeconds(5));
        stack.Otlp.Traces.Clear();
        stack.Otlp.Metrics.Clear();

        await Task.Delay(TimeSpan.FromMinutes(1));

        // Due-step polls, outbox sweeps, sending claims and Quartz's check-ins all ran meanwhile: counted, not traced.
        var spans = OtlpSpans.Read(stack.Otlp.Traces).ToList();
        Assert.True(spans.Count == 0, "exported while idle: " + string.Join(", ", spans.Take(10).Select(s => $"{s.Service}/{s.Scope}/{s.Name}")));
        Assert.Contains(stack.Otlp.Metrics, m => OtlpReceiver.Contains(m, "flexype.workflows.steps.polls"));
        Assert.Contains(stack.Otlp.Metrics, m => OtlpReceiver.Contains(m, "flexype.outbox.polls"));
    }

    [Fact]
    public async Task A_hand_off_batch_taken_whole_is_measured_and_one_taken_again_event_by_event_is_counted_and_logged()
    {
        using var api = new WorkflowsApi(stack);
        var events = new NormalizedEvents();
        var refused = events.ProductViewed(email: null, "Refused tee");
        refused["note"] = "nul \u0000 inside";

        var whole = await api.PostEventBatchAsync((events.ProductViewed(email: null, "Mug"), null), (events.ProductViewed(email: null, "Cap"), null));
        var split = await api.PostEventBatchAsync((events.ProductViewed(email: null, "Hat"), null), (refused, null));

        Assert.Equal(["accepted", "accepted"], whole.Select(r => (string)r["status"]!));
        Assert.Equal(["accepted", "invalid"], split.Select(r => (string)r["status"]!));
        await Eventually.TrueAsync(() => Task.FromResult(stack.Otlp.Metrics.Any(m =>
            OtlpReceiver.Contains(m, "flexype.workflows.intake.batch_size") && OtlpReceiver.Contains(m, "flexype.workflows.intake.batches_split"))),
            "the batch-size histogram and the split-batch counter");
        await Eventually.TrueAsync(() => Task.FromResult(stack.Otlp.Logs.Any(l => OtlpReceiver.Contains(l, "was not taken in one transaction"))),
            "the split batch's log line");
    }

    [Fact]
    public async Task An_enrollment_of_a_batch_rolled_back_and_taken_again_event_by_event_is_counted_once()
    {
        using var api = new WorkflowsApi(stack);
        var events = new NormalizedEvents();
        var refused = events.ProductViewed(email: null, "Refused tee");
        refused["note"] = "nul \u0000 inside";
        var before = await SettledTotalAsync("flexype.workflows.enrollments");

        // The checkout is enrolled, then the refused event rolls the batch back; taken again on its own, it is enrolled once.
        var split = await api.PostEventBatchAsync(
            (events.AbandonedCheckout($"chk-{Guid.NewGuid():N}", NormalizedEvents.NewEmail()), null), (refused, null));

        Assert.Equal(["accepted", "invalid"], split.Select(r => (string)r["status"]!));
        Assert.Single(await api.EnrollmentsAsync(events.StoreId));
        Assert.Equal(before + 1, await SettledTotalAsync("flexype.workflows.enrollments"));
    }

    /// <summary>A counter's total as Workflows exports it, once it has held still for three seconds (six exports).</summary>
    private async Task<long> SettledTotalAsync(string counter)
    {
        long? seen = null;
        var since = DateTime.UtcNow;
        var settled = await Eventually.MatchesAsync(() =>
        {
            var total = OtlpMetrics.LatestTotal(stack.Otlp.Metrics, "workflows", counter) ?? 0;
            if (total != seen)
            {
                (seen, since) = (total, DateTime.UtcNow);
            }
            return Task.FromResult((Total: total, Still: DateTime.UtcNow - since));
        }, read => read.Still >= TimeSpan.FromSeconds(3), $"{counter} to hold still for 3 s");
        return settled.Total;
    }

    [Fact]
    public async Task A_webhook_is_one_whole_trace_from_the_post_to_the_smtp_send_and_arrives_without_waiting_for_a_sweep()
    {
        var eventId = IngestClient.NewEventId();
        var email = $"quiet-{Guid.NewGuid():N}@example.com";
        var traceId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var flexypeSpan = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var posted = DateTimeOffset.UtcNow;
        using (var ingest = stack.CreateHttpClient("ingest"))
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/flexype")
        {
            Content = new StringContent(IngestClient.AcrBody(eventId, email), Encoding.UTF8, "application/json"),
        })
        {
            request.Headers.Add("X-Flexype-Authorization", stack.WebhookSecret);
            request.Headers.Add("X-Webhook-Version", "2026-05");
            request.Headers.Add("X-Event-Id", eventId);
            request.Headers.Add("traceparent", $"00-{traceId}-{flexypeSpan}-01");
            using var response = await ingest.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Every sweep is ten minutes away: only the commits' wake-ups can have carried it this far this soon.
        using var mailHttp = stack.App.CreateHttpClient("mail", "http");
        var mail = new MailSink(mailHttp);
        await Eventually.TrueAsync(async () => (await mail.MessagesToAsync(email)).Count > 0,
            $"the email to {email}, well before any sweep", TimeSpan.FromSeconds(60));
        Assert.True(DateTimeOffset.UtcNow - posted < TimeSpan.FromSeconds(60));

        string[] expected =
        [
            "Receive FlexyPe webhook", "outbox send", "workflows.event", "workflows.step.fire", "notifier.request", "smtp send",
        ];
        var trace = await Eventually.GetAsync(() =>
        {
            var spans = OtlpSpans.Read(stack.Otlp.Traces).Where(s => s.TraceId == traceId).ToList();
            return Task.FromResult(expected.All(name => spans.Any(s => s.Name == name)) ? spans : null);
        }, $"the spans {string.Join(", ", expected)} in trace {traceId}");

        // Whole: every span's parent is FlexyPe's span or another span of the trace; none hangs from a span not exported.
        // Each process exports on its own clock, so a child may arrive a batch before its parent: read until whole.
        List<string> Orphans(List<ExportedSpan> spans)
        {
            var ids = spans.Select(s => s.SpanId).Append(flexypeSpan).ToHashSet();
            return [.. spans.Where(s => s.ParentSpanId is null || !ids.Contains(s.ParentSpanId)).Select(s => $"{s.Service}/{s.Name}")];
        }
        trace = await Eventually.MatchesAsync(
            () => Task.FromResult(OtlpSpans.Read(stack.Otlp.Traces).Where(s => s.TraceId == traceId).ToList()),
            spans => Orphans(spans).Count == 0,
            $"every span of trace {traceId} to hang from another of it (still without their parent: {string.Join(", ", Orphans(trace))})",
            TimeSpan.FromSeconds(20));
        Assert.Equal(["ingest", "notifier", "workflows"], trace.Select(s => s.Service).Distinct().Order());
        // Both hand-offs are attempts in the trace: Ingest's to Workflows, Workflows' to Notifier.
        Assert.Subset(trace.Where(s => s.Name == "outbox send").Select(s => s.Service).ToHashSet(), new HashSet<string> { "ingest", "workflows" });
    }

    private async Task UntilNoTraceArrivesForAsync(TimeSpan quiet)
        // Start-up (migrations, seeding) leaves traces; wait until they have all been exported.
        => await Eventually.TrueAsync(async () =>
        {
            var before = stack.Otlp.Traces.Count;
            await Task.Delay(quiet);
            return stack.Otlp.Traces.Count == before;
        }, "the start-up's traces to be exported", TimeSpan.FromMinutes(2));
}
