using System.Net;
using System.Net.Http.Headers;
using System.Text;
using FlexyPe.Chaos.Stack;
using Xunit.Abstractions;

namespace FlexyPe.Recovery.StackTests.Deployed;

/// <summary>
/// Guarantee 6: after deliveries good and bad and operator calls with wrong keys, neither the webhook secret, nor the
/// admin key, nor a wrong secret someone presented is in any console log, trace, metric or log export, database, or
/// error body.
/// </summary>
[Collection(DeployedStackCollection.Name)]
public sealed class SecretTests(DeployedStackFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task No_secret_is_in_any_log_trace_metric_database_or_error_body()
    {
        var stack = fixture.Stack;
        var wrongSecret = $"wrong-secret-{Guid.NewGuid():N}";
        var wrongKey = $"wrong-key-{Guid.NewGuid():N}";
        using var http = new HttpClient();
        var ingest = stack.Url(DeployedStack.Ingest);
        var errorBodies = new StringBuilder();

        async Task<HttpStatusCode> DeliverAsync(string body, string? secret, string id)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(ingest, "/webhooks/flexype")) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            if (secret is not null)
            {
                request.Headers.Add("X-Flexype-Authorization", secret);
            }
            request.Headers.Add("X-Event-Id", id);
            request.Headers.Add("X-Webhook-Version", "2026-05");
            // A secret also in a header that is kept with the event: it must not be kept.
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret ?? "none");
            using var response = await http.SendAsync(request);
            if (!response.IsSuccessStatusCode)
            {
                errorBodies.AppendLine(await response.Content.ReadAsStringAsync());
            }
            return response.StatusCode;
        }

        var good = $"secret-test-{Guid.NewGuid():N}";
        var sample = WebhookSamples.List[0].Body;
        Assert.Equal(HttpStatusCode.OK, await DeliverAsync(sample.Replace("{{event_id}}", good, StringComparison.Ordinal), fixture.WebhookSecret, good));
        Assert.Equal(HttpStatusCode.Unauthorized, await DeliverAsync(sample, wrongSecret, $"wrong-{Guid.NewGuid():N}"));
        Assert.Equal(HttpStatusCode.Unauthorized, await DeliverAsync(sample, fixture.AdminApiKey, $"admin-as-secret-{Guid.NewGuid():N}"));
        Assert.Equal(HttpStatusCode.BadRequest, await DeliverAsync("{ \"broken\": ", fixture.WebhookSecret, $"broken-{Guid.NewGuid():N}"));
        foreach (var service in new[] { DeployedStack.Ingest, DeployedStack.Workflows, DeployedStack.Notifier })
        {
            foreach (var key in new[] { wrongKey, fixture.WebhookSecret })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(stack.Url(service), service == DeployedStack.Notifier ? "/api/messages" : "/api/events"));
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
                using var response = await http.SendAsync(request);
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
                errorBodies.AppendLine(await response.Content.ReadAsStringAsync());
            }
        }
        // The good event reaches Workflows (its hand-off carries the admin key), and telemetry is exported.
        await Eventually.TrueAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(stack.Url(DeployedStack.Workflows), "/api/events?limit=1000"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", fixture.AdminApiKey);
            return (await (await http.SendAsync(request)).Content.ReadAsStringAsync()).Contains(good, StringComparison.Ordinal);
        }, "the event to reach Workflows", TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(5));

        var secrets = new Dictionary<string, string>
        {
            ["the webhook secret"] = fixture.WebhookSecret,
            ["the admin key"] = fixture.AdminApiKey,
            ["a wrong secret presented"] = wrongSecret,
            ["a wrong admin key presented"] = wrongKey,
        };
        var found = await SecretScan.FindAsync(stack, fixture.Otlp.Files, secrets, CancellationToken.None);
        found.AddRange(secrets.Where(s => errorBodies.ToString().Contains(s.Value, StringComparison.Ordinal)).Select(s => $"{s.Key} in an error body"));

        // What was scanned holds what it should: the scan is not looking at empty places.
        var scanned = fixture.Otlp.Files.ToDictionary(f => Path.GetFileName(f), f => new FileInfo(f).Length);
        output.WriteLine("telemetry captured: " + string.Join(", ", scanned.Select(s => $"{s.Key} {s.Value} bytes")));
        Assert.Contains("traces.otlp", scanned.Keys);
        Assert.Contains("logs.otlp", scanned.Keys);
        Assert.Contains("metrics.otlp", scanned.Keys);
        var ingestLog = await File.ReadAllTextAsync(Path.Combine(stack.LogDirectory, "ingest-0.log"));
        Assert.Contains("Refused a delivery", ingestLog, StringComparison.Ordinal);
        Assert.True(found.Count == 0, "found: " + string.Join("; ", found));
    }
}
