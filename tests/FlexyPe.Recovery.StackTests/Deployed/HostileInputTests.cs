using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FlexyPe.Chaos.Stack;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Xunit.Abstractions;

namespace FlexyPe.Recovery.StackTests.Deployed;

/// <summary>
/// Hostile input, generated from a seed: every answer is the status docs/ingest.md gives for it (problem+json for every
/// refusal), nothing is answered 5xx, nothing crashes, the heap that survives a full collection comes back to its level,
/// and the service is healthy after.
/// </summary>
[Collection(DeployedStackCollection.Name)]
public sealed class HostileInputTests(DeployedStackFixture fixture, ITestOutputHelper output)
{
    private const int Seed = 20261129;

    [Fact]
    public async Task Ten_thousand_hostile_deliveries_each_get_their_documented_status_and_leave_ingest_healthy()
    {
        var requests = new HostileRequests(fixture.WebhookSecret, Seed).Generate().ToList();
        Assert.True(requests.Count >= 10_000, $"only {requests.Count} requests generated");
        using var http = Client();
        var ingest = fixture.Stack.Url(DeployedStack.Ingest);

        // Warm up, then take the process's resident memory before any hostile delivery.
        await DeliverAsync(http, ingest, requests.Take(200));
        var pid = fixture.Stack.Process(DeployedStack.Ingest).Pid!.Value;
        var before = ResidentMegabytes(pid);

        var first = await AfterFullCollectionAsync(pid);
        var answers = await DeliverAsync(http, ingest, requests);
        var peak = ResidentMegabytes(pid);
        // An idle process runs no collection, so what a pass left behind stays in the heap until one runs: each level is
        // taken after a full collection, asked for over the diagnostics port. Two more passes of other hostile deliveries
        // (other seeds) must not raise it pass after pass as a leak would.
        var level = await AfterFullCollectionAsync(pid);
        var afterPasses = new List<(long LiveMegabytes, long ResidentMegabytes)>();
        foreach (var seed in new[] { Seed + 1, Seed + 2 })
        {
            await DeliverAsync(http, ingest, new HostileRequests(fixture.WebhookSecret, seed).Generate());
            afterPasses.Add(await AfterFullCollectionAsync(pid));
        }
        // Rested: the shared array pool gives back, at a full collection, the buffers no one has rented for a minute, and
        // Kestrel's memory pool its idle blocks; the collection after that frees them.
        await Task.Delay(TimeSpan.FromSeconds(65));
        await AfterFullCollectionAsync(pid);
        var rested = await AfterFullCollectionAsync(pid);
        foreach (var group in answers.GroupBy(a => a.Request.Kind).OrderBy(g => g.Key))
        {
            output.WriteLine($"{group.Key}: {group.Count()} — " + string.Join(", ", group.GroupBy(a => a.Status).OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Count()}")));
        }
        output.WriteLine($"ingest managed heap after a full collection: {first.LiveMegabytes} MB before, {level.LiveMegabytes} MB after the first pass, "
            + $"{string.Join(" and ", afterPasses.Select(p => p.LiveMegabytes))} MB after two more; resident: {before} before, {peak} right after the first pass, "
            + $"{level.ResidentMegabytes} after its collection, {string.Join(" and ", afterPasses.Select(p => p.ResidentMegabytes))} after the others; "
            + $"rested a minute: {rested.LiveMegabytes} MB live, {rested.ResidentMegabytes} MB resident");

        var wrong = answers.Where(a => !a.Request.Allowed.Contains(a.Status) || (a.Status >= 400 && a.ContentType != "application/problem+json")).ToList();
        Assert.True(wrong.Count == 0, $"{wrong.Count} answers not as documented, e.g.:\n" + string.Join('\n', wrong.Take(15).Select(a =>
            $"{a.Request.Kind} {a.Request.Path}: {a.Status} {a.ContentType} (allowed {string.Join('/', a.Request.Allowed)}) {a.Body[..Math.Min(300, a.Body.Length)]}")));
        Assert.DoesNotContain(answers, a => a.Status >= 500);
        Assert.True(fixture.Stack.Process(DeployedStack.Ingest).Running, "Ingest crashed");
        Assert.Equal(pid, fixture.Stack.Process(DeployedStack.Ingest).Pid);
        // Right after a pass, what survives a full collection stays within 64 MB of the level before any hostile delivery
        // (measured 2026-11-30: 19 MB before, then 34-65 MB). Before that day's fixes it was 106-162 MB: one 400 KB body of
        // 60,000 array items was normalized to 60,000 all-null cart lines (7 MB), and each idle pooled connection kept its
        // last command's parameters (up to 25 raw bodies) until it ran another.
        Assert.All(afterPasses.Prepend(level), after => Assert.True(after.LiveMegabytes <= first.LiveMegabytes + 64,
            $"Ingest's heap holds {after.LiveMegabytes} MB right after a pass of hostile deliveries and a full collection, from {first.LiveMegabytes} MB before them"));
        // Rested a minute, it is back to within 32 MB of the level (measured: 25-36 MB). What is left is mostly Kestrel's
        // memory pool, grown by the 1 MB bodies (a heap dump's diff: 2,835 more 4 KB blocks), which gives back 5% of its
        // idle blocks every 10 s: measured once minute by minute, 36, 34, 31, 29, 28 and 28 MB after six minutes.
        Assert.True(rested.LiveMegabytes <= first.LiveMegabytes + 32,
            $"Ingest's heap holds {rested.LiveMegabytes} MB a minute after the hostile deliveries and a full collection, from {first.LiveMegabytes} MB before them");
        // The resident memory is bounded too: the GC keeps what the passes grew committed for reuse, and gives it back lazily.
        Assert.True(rested.ResidentMegabytes < 512, $"Ingest holds {rested.ResidentMegabytes} MB resident after hostile deliveries (from {before} MB)");

        // Healthy after: /health, and an ordinary delivery is stored.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(ingest, "/health"))).StatusCode);
        var id = $"after-hostile-{Guid.NewGuid():N}";
        var ordinary = new HostileRequest("ordinary", "/webhooks/flexype",
            Encoding.UTF8.GetBytes(WebhookSamples.List[0].Body.Replace("{{event_id}}", id, StringComparison.Ordinal)),
            new Dictionary<string, string> { ["X-Flexype-Authorization"] = fixture.WebhookSecret, ["X-Event-Id"] = id, ["X-Webhook-Version"] = "2026-05" }, [200]);
        Assert.Equal(200, (await DeliverAsync(http, ingest, [ordinary])).Single().Status);
        using var stored = new HttpRequestMessage(HttpMethod.Get, new Uri(ingest, $"/api/events/{id}"));
        stored.Headers.Authorization = new AuthenticationHeaderValue("Bearer", fixture.AdminApiKey);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(stored)).StatusCode);

        // Every hostile event that was stored goes on: Workflows takes it, its steps fire, Notifier sends or refuses
        // them. Nothing stays stuck in an outbox or a batch that fails each time it is claimed.
        var settled = await new FlexyPe.Chaos.Faults.ChaosScenario(fixture.Stack, DeployedStackFixture.Scenario).DrainAsync(CancellationToken.None);
        Assert.True(settled is null, "left waiting after the hostile deliveries: " + JsonSerializer.Serialize(settled));
    }

    [Fact]
    public async Task Hostile_queries_paths_and_bodies_to_the_operator_apis_get_a_4xx_problem_never_a_5xx()
    {
        var random = new Random(Seed);
        using var http = Client();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", fixture.AdminApiKey);
        var calls = new List<(string Service, HttpMethod Method, string Path, string? Body)>();
        string Junk() => HostileValues[random.Next(HostileValues.Length)];
        string Segment() => Uri.EscapeDataString(Junk());
        string Body() => random.Next(4) switch
        {
            0 => Junk(),
            1 => "{\"" + Junk().Replace("\"", "", StringComparison.Ordinal) + "\": " + JsonSerializer.Serialize(Junk()),
            2 => new string('[', 5000) + new string(']', 5000),
            _ => JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["key"] = random.Next(2) == 0 ? Junk() : random.Next(),
                ["name"] = random.Next(2) == 0 ? Junk() : null,
                ["trigger"] = Junk(),
                ["steps"] = random.Next(2) == 0 ? Junk() : new object?[] { new { delay = Junk(), subject = Junk(), template = Junk(), delay_from = Junk() }, null, 7 },
                ["exit_rules"] = new[] { Junk() },
                ["store_id"] = Junk(), ["email"] = Junk(), ["to"] = Junk(), ["reason"] = Junk(),
                ["idempotency_key"] = random.Next(3) == 0 ? null : Junk(), ["subject"] = Junk(), ["html_body"] = Junk(),
                ["time_zone"] = Junk(), ["frequency_cap"] = Junk(), ["sender_address"] = Junk(), ["quiet_hours"] = Junk(),
                ["brand"] = new { colour = Junk(), currency = Junk(), locale = Junk() }, ["event_id"] = Junk(), ["type"] = Junk(),
                ["trace_parent"] = Junk(), ["events"] = random.Next(2) == 0 ? Junk() : new object?[] { null, new { @event = Junk() }, new { @event = new { event_id = Junk(), store_id = Junk(), type = Junk() } } },
            }),
        };
        string Query(params string[] names) => "?" + string.Join('&', names.Where(_ => random.Next(3) > 0).Select(n => $"{n}={Segment()}"));

        for (var i = 0; i < 120; i++)
        {
            calls.Add((DeployedStack.Ingest, HttpMethod.Get, "/api/events" + Query("type", "email", "checkout", "store", "since", "limit"), null));
            calls.Add((DeployedStack.Ingest, HttpMethod.Get, $"/api/events/{Segment()}" + Query("store"), null));
            calls.Add((DeployedStack.Ingest, HttpMethod.Post, $"/api/events/{Segment()}/replay" + Query("store"), null));
            calls.Add((DeployedStack.Ingest, HttpMethod.Get, "/api/rejected-deliveries" + Query("limit"), null));
            calls.Add((DeployedStack.Workflows, HttpMethod.Get, "/api/enrollments" + Query("store_id", "email", "phone", "sequence", "subject_key", "state"), null));
            calls.Add((DeployedStack.Workflows, HttpMethod.Get, $"/api/enrollments/{Guid.NewGuid()}", null));
            calls.Add((DeployedStack.Workflows, HttpMethod.Get, "/api/stats/sequences" + Query("store_id", "from", "to"), null));
            calls.Add((DeployedStack.Workflows, HttpMethod.Get, "/api/stats/daily" + Query("store_id", "from", "to"), null));
            calls.Add((DeployedStack.Workflows, HttpMethod.Get, "/api/events" + Query("store_id", "type", "email", "limit"), null));
            calls.Add((DeployedStack.Workflows, HttpMethod.Get, $"/api/sequences/{Segment()}", null));
            calls.Add((DeployedStack.Workflows, HttpMethod.Get, $"/api/sequences/{Segment()}/versions/{random.Next(-5, 5)}", null));
            calls.Add((DeployedStack.Workflows, HttpMethod.Post, "/api/sequences", Body()));
            calls.Add((DeployedStack.Workflows, HttpMethod.Put, $"/api/sequences/{Segment()}", Body()));
            calls.Add((DeployedStack.Workflows, HttpMethod.Post, $"/api/sequences/{Segment()}/steps/{random.Next(-2, 4)}/preview", Body()));
            calls.Add((DeployedStack.Workflows, HttpMethod.Post, $"/api/sequences/welcome/steps/1/test-send", Body()));
            calls.Add((DeployedStack.Workflows, HttpMethod.Post, "/api/previews", Body()));
            calls.Add((DeployedStack.Workflows, HttpMethod.Post, "/api/previews/test-send", Body()));
            calls.Add((DeployedStack.Workflows, HttpMethod.Get, $"/api/stores/{Segment()}/settings", null));
            calls.Add((DeployedStack.Workflows, HttpMethod.Put, $"/api/stores/{Segment()}/settings", Body()));
            calls.Add((DeployedStack.Workflows, HttpMethod.Post, "/internal/events", Body()));
            calls.Add((DeployedStack.Workflows, HttpMethod.Post, "/internal/events/batch", Body()));
            calls.Add((DeployedStack.Workflows, HttpMethod.Post, "/internal/delivery-events", Body()));
            calls.Add((DeployedStack.Notifier, HttpMethod.Get, "/api/messages" + Query("to", "status", "limit"), null));
            calls.Add((DeployedStack.Notifier, HttpMethod.Get, $"/api/messages/{Guid.NewGuid()}", null));
            calls.Add((DeployedStack.Notifier, HttpMethod.Post, $"/api/messages/{Guid.NewGuid()}/resend", null));
            calls.Add((DeployedStack.Notifier, HttpMethod.Post, "/api/message-requests", Body()));
            calls.Add((DeployedStack.Notifier, HttpMethod.Get, "/api/suppressions" + Query("store_id", "email"), null));
            calls.Add((DeployedStack.Notifier, HttpMethod.Get, $"/api/suppressions/{Segment()}/{Segment()}", null));
            calls.Add((DeployedStack.Notifier, HttpMethod.Delete, $"/api/suppressions/{Segment()}/{Segment()}", null));
            calls.Add((DeployedStack.Notifier, HttpMethod.Post, "/api/suppressions", Body()));
        }

        var failures = new ConcurrentBag<string>();
        var statuses = new ConcurrentDictionary<int, int>();
        await Parallel.ForEachAsync(calls, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (call, ct) =>
        {
            using var request = new HttpRequestMessage(call.Method, new Uri(fixture.Stack.Url(call.Service), call.Path));
            if (call.Body is not null)
            {
                request.Content = new StringContent(call.Body, Encoding.UTF8, "application/json");
            }
            using var response = await http.SendAsync(request, ct);
            var status = (int)response.StatusCode;
            statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            // A refusal with no body at all is Kestrel's own, before any of the service runs (a NUL in the path, a URI too
            // long); every refusal of the service itself is problem+json.
            var body = await response.Content.ReadAsStringAsync(ct);
            if (status >= 500 || (status >= 400 && body.Length > 0 && response.Content.Headers.ContentType?.MediaType != "application/problem+json"))
            {
                failures.Add($"{status} {call.Service} {call.Method} {call.Path} {call.Body?[..Math.Min(200, call.Body.Length)]}: {response.Content.Headers.ContentType} {body[..Math.Min(300, body.Length)]}");
            }
        });

        output.WriteLine($"{calls.Count} calls: " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}")));
        Assert.True(failures.IsEmpty, $"{failures.Count} answers were 5xx or not problem+json, e.g.:\n" + string.Join('\n', failures.OrderByDescending(f => f).Take(15)));
        foreach (var service in new[] { DeployedStack.Ingest, DeployedStack.Workflows, DeployedStack.Notifier })
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(fixture.Stack.Url(service), "/health"))).StatusCode);
        }
    }

    /// <summary>
    /// An event the database refuses (a NUL in its id: Postgres refuses the text before running the statement) is
    /// answered 400, and the events after it are taken as before. Workflows is started afresh, so its connections are
    /// new, and the events are sent one at a time, 40 refused ones first: with Npgsql's automatic preparation on, a
    /// refusal on the use that prepares the intake's statement (its fifth on a connection) left that statement broken on
    /// the connection, and every event after it that the connection took was answered 500 (npgsql/npgsql#6391). Now
    /// such a value is refused before it is sent (BindRefusals).
    /// </summary>
    [Fact]
    public async Task An_event_the_database_refuses_leaves_the_events_after_it_untouched()
    {
        await fixture.Stack.KillAsync(DeployedStack.Workflows);
        await fixture.Stack.RestartAsync(DeployedStack.Workflows);
        using var http = Client();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", fixture.AdminApiKey);
        var workflows = fixture.Stack.Url(DeployedStack.Workflows);
        var run = Guid.NewGuid().ToString("N");
        async Task<HttpResponseMessage> SendAsync(string eventId) => await http.PostAsync(new Uri(workflows, "/internal/events"),
            JsonContent.Create(new { event_id = eventId, store_id = $"refusal-{run}", type = "collection_viewed" }));

        var answers = new List<(string Sent, int Status, string? ContentType)>();
        for (var i = 0; i < 60; i++)
        {
            var refused = i < 40;
            using var response = await SendAsync(refused ? $"nul-\u0000-{run}-{i}" : $"ok-{run}-{i}");
            answers.Add((refused ? "refused" : "ordinary", (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType));
        }

        Assert.All(answers.Where(a => a.Sent == "refused"), a => Assert.Equal((400, "application/problem+json"), (a.Status, a.ContentType)));
        Assert.True(answers.Where(a => a.Sent == "ordinary").All(a => a.Status == 200),
            "ordinary events after a refused one: " + string.Join(", ", answers.Select(a => $"{a.Sent} {a.Status}")));
    }

    /// <summary>What hostile callers put in ids, query values and fields.</summary>
    private static readonly string[] HostileValues =
    [
        "", " ", "abc", "-1", "0", "99999999999999999999999", "1e400", "NaN", "true", "null", "[]", "{}", "{\"a\":", "%00", "\u0000",
        "../../etc/passwd", "..%2F..%2F", "' OR 1=1 --", "'; DROP TABLE events; --", "<script>alert(1)</script>", "{{ 7 * 7 }}",
        "{% for i in (1..50000000) %}{{ i }}{% endfor %}", "2026-13-45", "9999-12-31T23:59:59Z", "0001-01-01", "P1D", "-00:00:01",
        "99:99:99", "1.00:00:00:00", "Not/AZone", "#zzzzzz", "XXX", "xx-YY-zz", "a@", "@b", "a@b@c", "\ud83d\ude00@example.com",
        new string('x', 5000), "\u202e\u200b\ufeff", "abandoned_checkout", "welcome", "pending", "sent",
    ];

    private sealed record Answer(HostileRequest Request, int Status, string? ContentType, string Body);

    private static HttpClient Client() => new(new SocketsHttpHandler { MaxConnectionsPerServer = 16, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    private static async Task<List<Answer>> DeliverAsync(HttpClient http, Uri ingest, IEnumerable<HostileRequest> requests)
    {
        var answers = new ConcurrentBag<Answer>();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (r, ct) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(ingest, r.Path));
            request.Content = new ByteArrayContent(r.Body);
            if (r.ContentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", r.ContentType);
            }
            if (r.Chunked)
            {
                request.Headers.TransferEncodingChunked = true;
            }
            foreach (var (name, value) in r.Headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
            try
            {
                using var response = await http.SendAsync(request, ct);
                var body = await response.Content.ReadAsStringAsync(ct);
                answers.Add(new Answer(r, (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body));
            }
            catch (HttpRequestException e) when (r.Body.Length > HostileRequests.MaxBodyBytes)
            {
                // Refusing an oversized body may close the connection before the client has finished sending it
                // (-1: no answer read); the test checks afterwards that Ingest is still the same running process.
                answers.Add(new Answer(r, -1, null, e.Message));
            }
        });
        return [.. answers];
    }

    /// <summary>
    /// Asks the runtime of <paramref name="pid"/> for a full, blocking collection (an EventPipe session with the
    /// GCHeapCollect keyword, which is how dotnet-gcdump does it) and reads, from the collection's own GCHeapStats
    /// event, how much of the managed heap survived it: the memory the process still holds on to, whatever the GC
    /// keeps committed for later. The resident memory a moment after is given beside it.
    /// </summary>
    private static async Task<(long LiveMegabytes, long ResidentMegabytes)> AfterFullCollectionAsync(int pid)
    {
        var keywords = (long)(ClrTraceEventParser.Keywords.GC | ClrTraceEventParser.Keywords.GCHeapCollect);
        using var session = new DiagnosticsClient(pid).StartEventPipeSession(
            new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, keywords), requestRundown: false);
        long? survived = null;
        using var source = new EventPipeEventSource(session.EventStream);
        // The idle process's first collection after the session starts is the one it asked for.
        source.Clr.GCHeapStats += stats => survived ??= stats.TotalPromotedSize0 + stats.TotalPromotedSize1 + stats.TotalPromotedSize2
            + stats.TotalPromotedSize3 + stats.TotalPromotedSize4;
        var reading = Task.Run(source.Process);
        await Task.Delay(TimeSpan.FromSeconds(3));
        await session.StopAsync(CancellationToken.None);
        await reading;
        await Task.Delay(TimeSpan.FromSeconds(3));
        return ((survived ?? throw new InvalidOperationException("Ingest reported no collection")) / (1024 * 1024), ResidentMegabytes(pid));
    }

    private static long ResidentMegabytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024;
    }
}
