using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FlexyPe.Chaos.Stack;
using Xunit.Abstractions;

namespace FlexyPe.Recovery.StackTests.Deployed;

/// <summary>
/// Hostile input, generated from a seed: every answer is the status docs/ingest.md gives for it (problem+json for every
/// refusal), nothing is answered 5xx, nothing crashes, memory stays under a bound over two passes, and the service is
/// healthy after.
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

        // Warm up, then take the process's resident memory as its level.
        await DeliverAsync(http, ingest, requests.Take(200));
        var pid = fixture.Stack.Process(DeployedStack.Ingest).Pid!.Value;
        var before = ResidentMegabytes(pid);

        var answers = await DeliverAsync(http, ingest, requests);

        var peak = ResidentMegabytes(pid);
        await Task.Delay(TimeSpan.FromSeconds(15));
        var level = ResidentMegabytes(pid);
        // The GC keeps the heap the first pass grew to (it gives memory back to the system lazily), so that is the level.
        // A second pass of other hostile deliveries (another seed) must not raise it: a leak would, pass after pass.
        await DeliverAsync(http, ingest, new HostileRequests(fixture.WebhookSecret, Seed + 1).Generate());
        await Task.Delay(TimeSpan.FromSeconds(15));
        var after = ResidentMegabytes(pid);
        foreach (var group in answers.GroupBy(a => a.Request.Kind).OrderBy(g => g.Key))
        {
            output.WriteLine($"{group.Key}: {group.Count()} — " + string.Join(", ", group.GroupBy(a => a.Status).OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Count()}")));
        }
        output.WriteLine($"ingest resident memory: {before} MB before, {peak} MB right after, {level} MB 15 s later, {after} MB after a second pass");

        var wrong = answers.Where(a => !a.Request.Allowed.Contains(a.Status) || (a.Status >= 400 && a.ContentType != "application/problem+json")).ToList();
        Assert.True(wrong.Count == 0, $"{wrong.Count} answers not as documented, e.g.:\n" + string.Join('\n', wrong.Take(15).Select(a =>
            $"{a.Request.Kind} {a.Request.Path}: {a.Status} {a.ContentType} (allowed {string.Join('/', a.Request.Allowed)}) {a.Body[..Math.Min(300, a.Body.Length)]}")));
        Assert.DoesNotContain(answers, a => a.Status >= 500);
        Assert.True(fixture.Stack.Process(DeployedStack.Ingest).Running, "Ingest crashed");
        Assert.Equal(pid, fixture.Stack.Process(DeployedStack.Ingest).Pid);
        // What is asserted is a bound, not a return to the level before: the GC keeps what the passes grew (measured on
        // 2026-11-29: 184 MB before, 393 MB after the first pass, 516 MB after the second; whether a third would level
        // off is not yet known, issue 15). Under the bound, a 1 GiB container of Ingest survives both passes.
        Assert.True(after < 768, $"Ingest holds {after} MB after two passes of hostile deliveries (from {before} MB)");

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

    private static long ResidentMegabytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024;
    }
}
