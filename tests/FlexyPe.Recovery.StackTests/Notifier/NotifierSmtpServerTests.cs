using System.Net;
using System.Text.Json;
using FlexyPe.Recovery.StackTests.Stack;
using Npgsql;

namespace FlexyPe.Recovery.StackTests.Notifier;

/// <summary>
/// A Notifier process pointed at an in-process SMTP server the test controls (count its connections, stop it,
/// make it answer 550), on its own database on the stack's Postgres server.
/// </summary>
[Collection(RecoveryStackCollection.Name)]
public sealed class NotifierSmtpServerTests(RecoveryStack stack)
{
    private static string NewAddress(string who = "shopper") => $"{who}-{Guid.NewGuid():N}@example.test";

    [Fact]
    public async Task Two_hundred_requests_go_over_a_handful_of_smtp_connections()
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var notifier = await NotifierProcess.StartAsync(await NotifierProcess.CreateDatabaseAsync(stack), smtp.ConnectionString, stack.AdminApiKey);

        var to = NewAddress();
        foreach (var batch in Enumerable.Range(0, 200).Chunk(20))
        {
            await Task.WhenAll(batch.Select(i => notifier.Client.SendAsync(NotifierClient.Request($"bulk-{i}-{Guid.NewGuid()}", to, subject: $"Message {i}"))));
        }

        await Eventually.TrueAsync(async () => await CountAsync(notifier, "sent") == 200, "200 messages sent");
        Assert.Equal(200, smtp.MessagesTo(to).Select(m => m.MessageId).Distinct().Count());
        Assert.Equal(200, smtp.MessagesTo(to).Count);
        // The pool holds at most 4 connections (Notifier:Smtp:PoolSize).
        Assert.InRange(smtp.Sessions, 1, 4);
    }

    [Fact]
    public async Task While_the_smtp_server_is_down_requests_wait_and_are_all_delivered_once_it_is_back()
    {
        var port = TestSmtpServer.FreePort();
        await using var notifier = await NotifierProcess.StartAsync(
            await NotifierProcess.CreateDatabaseAsync(stack), TestSmtpServer.ConnectionStringFor(port), stack.AdminApiKey);

        var to = NewAddress();
        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add(await notifier.Client.SendAsync(NotifierClient.Request($"down-{i}-{Guid.NewGuid()}", to, subject: $"Message {i}")));
        }

        // Every request has been tried, has failed to connect, and waits.
        await Eventually.TrueAsync(async () =>
        {
            var pending = await notifier.Client.GetJsonAsync("/api/messages?status=pending");
            return pending.GetArrayLength() == 20 && pending.EnumerateArray().All(m => m.GetProperty("attempt_count").GetInt32() >= 1);
        }, "all 20 requests to fail once and stay pending");
        var waiting = await notifier.Client.MessageAsync(ids[0]);
        Assert.Contains("connection failed", waiting.GetProperty("message").GetProperty("last_smtp_reply").GetString(), StringComparison.Ordinal);

        await using var smtp = await TestSmtpServer.StartAsync(port);

        await Eventually.TrueAsync(async () => await CountAsync(notifier, "sent") == 20, "all 20 delivered after the server came back");
        Assert.Equal(20, smtp.MessagesTo(to).Count);
        Assert.Equal(20, smtp.MessagesTo(to).Select(m => m.Subject).Distinct().Count());
    }

    [Fact]
    public async Task A_store_sends_from_its_own_address_with_its_reply_to_and_the_text_body_it_gave()
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var notifier = await NotifierProcess.StartAsync(
            await NotifierProcess.CreateDatabaseAsync(stack), smtp.ConnectionString, stack.AdminApiKey,
            new Dictionary<string, string>
            {
                ["Notifier:Stores:bakery.myshopify.com:From"] = "The Bakery <hello@bakery.example>",
                ["Notifier:Stores:bakery.myshopify.com:ReplyTo"] = "care@bakery.example",
            });
        var toBakery = NewAddress("bakery");
        var toOther = NewAddress("other");

        await notifier.Client.SendAsync(NotifierClient.Request($"k-{Guid.NewGuid()}", toBakery, storeId: "bakery.myshopify.com", text: "Plain words, as written."));
        await notifier.Client.SendAsync(NotifierClient.Request($"k-{Guid.NewGuid()}", toOther, storeId: "other.myshopify.com"));

        await Eventually.MatchesAsync(
            () => Task.FromResult(new[] { smtp.MessagesTo(toBakery).Count, smtp.MessagesTo(toOther).Count }),
            received => received is [1, 1], "one message to each shopper (received: [the bakery's, the other store's])");
        var bakery = smtp.MessagesTo(toBakery)[0];
        Assert.Equal("hello@bakery.example", bakery.From.Mailboxes.Single().Address);
        Assert.Equal("The Bakery", bakery.From.Mailboxes.Single().Name);
        Assert.Equal("care@bakery.example", bakery.ReplyTo.Mailboxes.Single().Address);
        Assert.EndsWith("@bakery.example", bakery.MessageId, StringComparison.Ordinal);
        Assert.StartsWith("Plain words, as written.", bakery.TextBody, StringComparison.Ordinal);
        var other = smtp.MessagesTo(toOther)[0];
        Assert.Equal("recovery@localhost", other.From.Mailboxes.Single().Address);
        Assert.Empty(other.ReplyTo);
    }

    [Fact]
    public async Task A_4xx_reply_is_retried_and_the_message_is_sent_once()
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var notifier = await NotifierProcess.StartAsync(await NotifierProcess.CreateDatabaseAsync(stack), smtp.ConnectionString, stack.AdminApiKey);
        var to = NewAddress("greylisted");
        smtp.Deferred[to] = 4;

        var id = await notifier.Client.SendAsync(NotifierClient.Request($"defer-{Guid.NewGuid()}", to));

        Assert.Equal("sent", await notifier.Client.FinalStatusAsync(id));
        var attempts = (await notifier.Client.MessageAsync(id)).GetProperty("attempts").EnumerateArray().ToList();
        Assert.Equal(5, attempts.Count);
        Assert.All(attempts[..4], a => Assert.StartsWith("451 ", a.GetProperty("smtp_reply").GetString(), StringComparison.Ordinal));
        Assert.Equal("sent", attempts[4].GetProperty("outcome").GetString());
        Assert.Single(smtp.MessagesTo(to));
    }

    [Fact]
    public async Task A_550_dead_letters_the_request_with_the_reply_and_suppresses_the_address()
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var notifier = await NotifierProcess.StartAsync(await NotifierProcess.CreateDatabaseAsync(stack), smtp.ConnectionString, stack.AdminApiKey);
        var bouncing = NewAddress("gone");
        smtp.Rejected[bouncing] = true;

        var id = await notifier.Client.SendAsync(NotifierClient.Request($"bounce-{Guid.NewGuid()}", bouncing));

        Assert.Equal("dead_lettered", await notifier.Client.FinalStatusAsync(id));
        var detail = await notifier.Client.MessageAsync(id);
        var attempt = Assert.Single(detail.GetProperty("attempts").EnumerateArray());
        Assert.Equal("permanent_failure", attempt.GetProperty("outcome").GetString());
        Assert.StartsWith("550 ", attempt.GetProperty("smtp_reply").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("550 ", detail.GetProperty("message").GetProperty("last_smtp_reply").GetString(), StringComparison.Ordinal);

        var suppression = await notifier.Client.GetJsonAsync($"/api/suppressions/test-store.myshopify.com/{Uri.EscapeDataString(bouncing)}");
        Assert.Equal("hard_bounce", suppression.GetProperty("reason").GetString());

        // The next message to that address is not even tried.
        smtp.Rejected.TryRemove(bouncing, out _);
        var nextId = await notifier.Client.SendAsync(NotifierClient.Request($"bounce-next-{Guid.NewGuid()}", bouncing));
        Assert.Equal("suppressed", await notifier.Client.FinalStatusAsync(nextId));
        Assert.Empty(smtp.MessagesTo(bouncing));
        Assert.Empty((await notifier.Client.MessageAsync(nextId)).GetProperty("attempts").EnumerateArray());
    }

    [Fact]
    public async Task An_operator_resends_a_dead_letter_after_lifting_the_suppression()
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var notifier = await NotifierProcess.StartAsync(await NotifierProcess.CreateDatabaseAsync(stack), smtp.ConnectionString, stack.AdminApiKey);
        var address = NewAddress("fixed");
        smtp.Rejected[address] = true;
        var id = await notifier.Client.SendAsync(NotifierClient.Request($"resend-{Guid.NewGuid()}", address));
        Assert.Equal("dead_lettered", await notifier.Client.FinalStatusAsync(id));

        // Not a dead letter any more? Then there is nothing to resend.
        smtp.Rejected.TryRemove(address, out _);
        Assert.Equal(HttpStatusCode.NoContent,
            await notifier.Client.StatusOfAsync(HttpMethod.Delete, $"/api/suppressions/test-store.myshopify.com/{Uri.EscapeDataString(address)}"));
        Assert.Equal(HttpStatusCode.Accepted, await notifier.Client.StatusOfAsync(HttpMethod.Post, $"/api/messages/{id}/resend"));

        Assert.Equal("sent", await notifier.Client.FinalStatusAsync(id));
        Assert.Single(smtp.MessagesTo(address));
        Assert.Equal(HttpStatusCode.Conflict, await notifier.Client.StatusOfAsync(HttpMethod.Post, $"/api/messages/{id}/resend"));
    }

    [Fact]
    public async Task Two_notifier_replicas_send_each_request_once()
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        // Each message takes the server a moment, so both replicas have work in flight at the same time.
        smtp.SaveDelay = TimeSpan.FromMilliseconds(20);
        var database = await NotifierProcess.CreateDatabaseAsync(stack);
        // Started together on the empty database, as a fresh deployment's replicas are.
        var replicas = await NotifierProcess.StartReplicasAsync(2, database, smtp.ConnectionString, stack.AdminApiKey);
        await using var first = replicas[0];
        await using var second = replicas[1];

        var to = NewAddress();
        await Task.WhenAll(Enumerable.Range(0, 100).Select(i =>
            (i % 2 == 0 ? first : second).Client.SendAsync(NotifierClient.Request($"replica-{i}-{Guid.NewGuid()}", to, subject: $"Message {i}"))));

        await Eventually.TrueAsync(async () => await CountAsync(first, "sent") == 100, "100 messages sent");
        var received = smtp.MessagesTo(to);
        Assert.Equal(100, received.Count);
        Assert.Equal(100, received.Select(m => m.MessageId).Distinct().Count());

        // Both replicas did some of the sending.
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var workers = new NpgsqlCommand("SELECT count(DISTINCT worker) FROM delivery_attempts", connection);
        Assert.Equal(2L, await workers.ExecuteScalarAsync());

        // They share one signing key: a link made by either opens on the other.
        await using var keys = new NpgsqlCommand("SELECT count(*) FROM data_protection_keys", connection);
        Assert.Equal(1L, await keys.ExecuteScalarAsync());
        await using var onePerReplica = new NpgsqlCommand(
            "SELECT DISTINCT ON (worker) message_request_id::text FROM delivery_attempts WHERE outcome = 'sent'", connection);
        var madeByEach = new List<string>();
        await using (var reader = await onePerReplica.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                madeByEach.Add(reader.GetString(0));
            }
        }
        Assert.Equal(2, madeByEach.Count);
        foreach (var id in madeByEach)
        {
            var path = await UnsubscribePathAsync(first, id);
            foreach (var replica in new[] { first, second })
            {
                using var page = await replica.Http.GetAsync(path);
                Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            }
        }
    }

    private static async Task<string> UnsubscribePathAsync(NotifierProcess notifier, string id)
    {
        var detail = await notifier.Client.MessageAsync(id);
        var header = detail.GetProperty("headers").EnumerateArray()
            .Single(h => h.GetProperty("name").GetString() == "List-Unsubscribe").GetProperty("value").GetString()!;
        return new Uri(System.Text.RegularExpressions.Regex.Match(header, "<(https?://[^>]+)>").Groups[1].Value).AbsolutePath;
    }

    [Fact]
    public async Task A_message_already_on_its_way_when_its_address_is_suppressed_goes_out_and_the_next_one_does_not()
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        var suppressed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        smtp.AcceptWhen = suppressed.Task;
        await using var notifier = await NotifierProcess.StartAsync(await NotifierProcess.CreateDatabaseAsync(stack), smtp.ConnectionString, stack.AdminApiKey);
        var to = NewAddress();

        var firstId = await notifier.Client.SendAsync(NotifierClient.Request($"k-{Guid.NewGuid()}", to, subject: "On its way"));
        // Notifier has read the suppression list and is handing the message to the server when the address is suppressed.
        await smtp.Receiving.WaitAsync(TimeSpan.FromSeconds(30));
        var suppression = await notifier.Client.PostJsonAsync("/api/suppressions",
            new { store_id = "test-store.myshopify.com", email = to });
        // The server accepts the message only now, after the suppression is recorded.
        suppressed.SetResult();

        Assert.Equal("sent", await notifier.Client.FinalStatusAsync(firstId));
        var first = (await notifier.Client.MessageAsync(firstId)).GetProperty("message");
        // Claimed before the suppression, accepted after it: the documented in-flight case, not a missed check.
        Assert.True(first.GetProperty("claimed_at").GetDateTimeOffset() < suppression.GetProperty("created_at").GetDateTimeOffset(),
            "the message was claimed before the address was suppressed");
        Assert.True(first.GetProperty("completed_at").GetDateTimeOffset() > suppression.GetProperty("created_at").GetDateTimeOffset(),
            "the message was accepted after the address was suppressed");

        var nextId = await notifier.Client.SendAsync(NotifierClient.Request($"k-{Guid.NewGuid()}", to, subject: "Too late"));
        Assert.Equal("suppressed", await notifier.Client.FinalStatusAsync(nextId));
        Assert.Equal(["On its way"], smtp.MessagesTo(to).Select(m => m.Subject));
    }

    private static async Task<int> CountAsync(NotifierProcess notifier, string status)
        => (await notifier.Client.GetJsonAsync($"/api/messages?status={status}&limit=1000")).GetArrayLength();
}
