using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using FlexyPe.Recovery.StackTests.Stack;

namespace FlexyPe.Recovery.StackTests.Notifier;

/// <summary>What a Notifier process exports over OTLP while it sends (a span per attempt, counters, the histogram).</summary>
[Collection(RecoveryStackCollection.Name)]
public sealed class NotifierTelemetryTests(RecoveryStack stack)
{
    [Fact]
    public async Task Each_send_attempt_is_a_span_in_the_trace_of_the_request_and_outcomes_are_counted_without_addresses()
    {
        using var otlp = new OtlpReceiver();
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var notifier = await NotifierProcess.StartAsync(
            await NotifierProcess.CreateDatabaseAsync(stack), smtp.ConnectionString, stack.AdminApiKey,
            new Dictionary<string, string>(otlp.Settings) { ["Logging:LogLevel:Default"] = "Information" });
        var to = $"private-{Guid.NewGuid():N}@example.test";
        smtp.Deferred[to] = 1;
        var traceId = RandomNumberGenerator.GetBytes(16);

        string id;
        using (var post = notifier.Client.Authorized(HttpMethod.Post, "/api/message-requests"))
        {
            post.Headers.Add("traceparent", $"00-{Convert.ToHexStringLower(traceId)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}-01");
            post.Content = JsonContent.Create(NotifierClient.Request($"k-{Guid.NewGuid()}", to));
            using var response = await notifier.Http.SendAsync(post);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            id = (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetString()!;
        }
        Assert.Equal("sent", await notifier.Client.FinalStatusAsync(id));

        // Two attempts (a 451, then the 250): two "smtp send" spans carrying the request's trace id.
        await Eventually.TrueAsync(() => Task.FromResult(SendSpansIn(otlp, traceId) >= 2), "two 'smtp send' spans in the request's trace");
        await Eventually.TrueAsync(() => Task.FromResult(otlp.Metrics.Any(m =>
            OtlpReceiver.Contains(m, "flexype.notifier.messages") && OtlpReceiver.Contains(m, "flexype.notifier.queue_to_250.duration"))),
            "the outcome counter and the queue-to-250 histogram");
        await Eventually.TrueAsync(() => Task.FromResult(otlp.Logs.Any(l => OtlpReceiver.Contains(l, "Message request"))), "the send's log line");

        foreach (var export in otlp.Traces.Concat(otlp.Metrics).Concat(otlp.Logs))
        {
            Assert.False(OtlpReceiver.Contains(export, "private-"), "an exported span, metric or log names the recipient");
            Assert.False(OtlpReceiver.Contains(export, "Your cart is waiting"), "an exported span, metric or log holds the body");
        }
    }

    /// <summary>Spans named "smtp send" whose trace id (field 1 of the protobuf Span, just before the name) is <paramref name="traceId"/>.</summary>
    private static int SendSpansIn(OtlpReceiver otlp, byte[] traceId)
    {
        var name = System.Text.Encoding.UTF8.GetBytes("smtp send");
        var count = 0;
        foreach (var export in otlp.Traces)
        {
            for (var at = OtlpReceiver.IndexOf(export, traceId, 0); at >= 0; at = OtlpReceiver.IndexOf(export, traceId, at + 1))
            {
                // trace_id, span_id, [trace_state], [parent_span_id], then name: within a few dozen bytes.
                var window = export.AsSpan(at + traceId.Length, Math.Min(80, export.Length - at - traceId.Length));
                if (window.IndexOf(name) >= 0)
                {
                    count++;
                }
            }
        }
        return count;
    }
}
