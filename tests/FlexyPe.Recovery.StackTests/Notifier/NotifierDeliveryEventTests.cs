using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using FlexyPe.Recovery.StackTests.Stack;
using Npgsql;

namespace FlexyPe.Recovery.StackTests.Notifier;

/// <summary>
/// Delivery events leave through the outbox and reach whatever answers at <c>Notifier:DeliveryEvents:Endpoint</c>
/// (Workflows in the stack; a recording HTTP listener here, since Workflows' endpoint is being built).
/// </summary>
[Collection(RecoveryStackCollection.Name)]
public sealed class NotifierDeliveryEventTests(RecoveryStack stack)
{
    private static string NewAddress(string who = "shopper") => $"{who}-{Guid.NewGuid():N}@example.test";

    [Fact]
    public async Task Sent_failed_dead_lettered_unsubscribed_and_suppressed_events_reach_workflows_in_the_contract_shape()
    {
        using var receiver = new DeliveryEventReceiver();
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var notifier = await StartAsync(smtp, receiver);
        var reader = NewAddress("reader");
        var gone = NewAddress("gone");
        smtp.Rejected[gone] = true;
        var slow = NewAddress("slow");
        smtp.Deferred[slow] = 3; // the first claim's three tries all get a 451

        var sentKey = $"enrollment:{Guid.NewGuid()}:step:1";
        var sentId = await notifier.Client.SendAsync(NotifierClient.Request(sentKey, reader));
        Assert.Equal("sent", await notifier.Client.FinalStatusAsync(sentId));
        var bounceId = await notifier.Client.SendAsync(NotifierClient.Request($"k-{Guid.NewGuid()}", gone));
        Assert.Equal("dead_lettered", await notifier.Client.FinalStatusAsync(bounceId));

        using (var oneClick = await notifier.Http.PostAsync(await UnsubscribePathAsync(notifier, sentId),
                   new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")])))
        {
            Assert.Equal(HttpStatusCode.OK, oneClick.StatusCode);
        }
        var suppressedId = await notifier.Client.SendAsync(NotifierClient.Request($"k-{Guid.NewGuid()}", reader));
        Assert.Equal("suppressed", await notifier.Client.FinalStatusAsync(suppressedId));

        var slowId = await notifier.Client.SendAsync(NotifierClient.Request($"k-{Guid.NewGuid()}", slow));
        Assert.Equal("sent", await notifier.Client.FinalStatusAsync(slowId));

        await Eventually.TrueAsync(() => Task.FromResult(receiver.For(reader).Count == 3 && receiver.For(gone).Count == 1 && receiver.For(slow).Count == 2), "six delivery events");
        Assert.Equal(["failed", "sent"], receiver.For(slow).Select(e => e.Body.GetProperty("type").GetString()));
        Assert.StartsWith("451", receiver.For(slow)[0].Body.GetProperty("smtp_reply").GetString(), StringComparison.Ordinal);
        Assert.Equal(["sent", "unsubscribed", "suppressed"], receiver.For(reader).Select(e => e.Body.GetProperty("type").GetString()));
        var sent = receiver.For(reader)[0];
        Assert.Equal(sentKey, sent.Body.GetProperty("idempotency_key").GetString());
        Assert.Equal("test-store.myshopify.com", sent.Body.GetProperty("store_id").GetString());
        Assert.StartsWith("250", sent.Body.GetProperty("smtp_reply").GetString(), StringComparison.Ordinal);
        Assert.True(Guid.TryParse(sent.Body.GetProperty("event_id").GetString(), out _));
        Assert.True(sent.Body.TryGetProperty("occurred_at", out _));
        Assert.Equal($"Bearer {stack.AdminApiKey}", sent.Authorization);

        var deadLettered = Assert.Single(receiver.For(gone));
        Assert.Equal("dead_lettered", deadLettered.Body.GetProperty("type").GetString());
        Assert.StartsWith("550", deadLettered.Body.GetProperty("smtp_reply").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_wait_in_the_outbox_while_workflows_refuses_them_and_arrive_once_it_accepts()
    {
        using var receiver = new DeliveryEventReceiver { Refusing = true };
        await using var smtp = await TestSmtpServer.StartAsync();
        var database = await NotifierProcess.CreateDatabaseAsync(stack);
        await using var notifier = await StartAsync(smtp, receiver, database);
        var to = NewAddress();

        var id = await notifier.Client.SendAsync(NotifierClient.Request($"k-{Guid.NewGuid()}", to));
        Assert.Equal("sent", await notifier.Client.FinalStatusAsync(id));
        await Eventually.TrueAsync(async () => await PendingOutboxRowsAsync(database, minimumAttempts: 1) == 1, "the event to be refused once and kept");
        Assert.Empty(receiver.Events);

        receiver.Refusing = false;
        var received = await Eventually.GetAsync(() => Task.FromResult(receiver.For(to).Count > 0 ? receiver.For(to) : null), "the event after Workflows accepts");
        Assert.Equal("sent", Assert.Single(received).Body.GetProperty("type").GetString());
        await Eventually.TrueAsync(async () => await PendingOutboxRowsAsync(database, minimumAttempts: 0) == 0, "the outbox row to be marked delivered");
    }

    [Fact]
    public async Task The_trace_of_the_request_runs_through_to_the_delivery_event()
    {
        using var receiver = new DeliveryEventReceiver();
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var notifier = await StartAsync(smtp, receiver);
        var to = NewAddress();
        var traceId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

        using var post = notifier.Client.Authorized(HttpMethod.Post, "/api/message-requests");
        post.Headers.Add("traceparent", $"00-{traceId}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8))}-01");
        post.Content = JsonContent.Create(NotifierClient.Request($"k-{Guid.NewGuid()}", to));
        using (var response = await notifier.Http.SendAsync(post))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var received = await Eventually.GetAsync(() => Task.FromResult(receiver.For(to).Count > 0 ? receiver.For(to)[0] : null), "the sent event");
        Assert.Matches(new Regex($"^00-{traceId}-[0-9a-f]{{16}}-0[01]$"), received.TraceParent ?? "");
    }

    [Fact]
    public async Task Logs_never_contain_the_recipient_address()
    {
        using var receiver = new DeliveryEventReceiver();
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var notifier = await StartAsync(smtp, receiver, logLevel: "Information");
        var reader = NewAddress("private");
        var gone = NewAddress("private-gone");
        smtp.Rejected[gone] = true;

        Assert.Equal("sent", await notifier.Client.FinalStatusAsync(await notifier.Client.SendAsync(NotifierClient.Request($"k-{Guid.NewGuid()}", reader))));
        Assert.Equal("dead_lettered", await notifier.Client.FinalStatusAsync(await notifier.Client.SendAsync(NotifierClient.Request($"k-{Guid.NewGuid()}", gone))));
        await Eventually.TrueAsync(() => Task.FromResult(receiver.Events.Count >= 2), "the events to be relayed");

        var log = notifier.Output;
        Assert.Contains("Message request", log, StringComparison.Ordinal); // the log is being captured at all
        Assert.DoesNotContain("private-", log, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Your cart is waiting", log, StringComparison.Ordinal);
    }

    private async Task<NotifierProcess> StartAsync(TestSmtpServer smtp, DeliveryEventReceiver receiver, string? database = null, string logLevel = "Warning")
        => await NotifierProcess.StartAsync(
            database ?? await NotifierProcess.CreateDatabaseAsync(stack),
            smtp.ConnectionString,
            stack.AdminApiKey,
            new Dictionary<string, string>
            {
                ["Notifier:DeliveryEvents:Endpoint"] = receiver.Url,
                ["Notifier:Outbox:FirstRetryDelay"] = "00:00:00.200",
                ["Notifier:Outbox:MaxRetryDelay"] = "00:00:01",
                ["Logging:LogLevel:Default"] = logLevel,
            });

    private static async Task<string> UnsubscribePathAsync(NotifierProcess notifier, string id)
    {
        var detail = await notifier.Client.MessageAsync(id);
        var header = detail.GetProperty("headers").EnumerateArray()
            .Single(h => h.GetProperty("name").GetString() == "List-Unsubscribe").GetProperty("value").GetString()!;
        return new Uri(Regex.Match(header, "<(https?://[^>]+)>").Groups[1].Value).AbsolutePath;
    }

    private static async Task<long> PendingOutboxRowsAsync(string database, int minimumAttempts)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM outbox_messages WHERE delivered_at IS NULL AND attempts >= @attempts", connection);
        command.Parameters.AddWithValue("attempts", minimumAttempts);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
