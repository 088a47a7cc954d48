using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FlexyPe.Recovery.StackTests.Stack;
using Npgsql;

namespace FlexyPe.Recovery.StackTests.Ingest;

/// <summary>What FlexyPe hears back for each kind of delivery, and what is (and is not) kept.</summary>
[Collection(RecoveryStackCollection.Name)]
public sealed class DeliveryTests(RecoveryStack stack)
{
    [Fact]
    public async Task A_duplicate_is_acknowledged_as_such_and_changes_nothing()
    {
        using var ingest = new IngestClient(stack);
        var eventId = IngestClient.NewEventId();

        using var first = await ingest.DeliverAsync(IngestClient.AcrBody(eventId), eventId);
        using var retry = await ingest.DeliverAsync(IngestClient.AcrBody(eventId, state: "COMPLETED"), eventId);

        Assert.Equal("""{"received":true,"duplicate":false}""", await first.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal("""{"received":true,"duplicate":true}""", await retry.Content.ReadAsStringAsync());

        var stored = (await ingest.GetEventAsync(eventId))!.Value;
        Assert.Equal("INITIATED", stored.GetProperty("normalized").At("checkout.session_state"));
        Assert.Equal(1, stored.GetProperty("hand_offs").GetArrayLength());
        Assert.Single(await ingest.ListEventsAsync($"checkout={eventId}-checkout"));
    }

    [Fact]
    public async Task Concurrent_deliveries_of_one_event_store_it_once()
    {
        using var ingest = new IngestClient(stack);
        var eventId = IngestClient.NewEventId();

        var responses = await Task.WhenAll(Enumerable.Range(0, 16)
            .Select(_ => ingest.DeliverAsync(IngestClient.AcrBody(eventId), eventId)));
        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync()));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Single(bodies, b => b.Contains("\"duplicate\":false", StringComparison.Ordinal));
        Assert.Single(await ingest.ListEventsAsync($"checkout={eventId}-checkout"));
        Assert.Equal(1, (await ingest.GetEventAsync(eventId))!.Value.GetProperty("hand_offs").GetArrayLength());
    }

    [Fact]
    public async Task Deliveries_of_many_events_repeated_concurrently_in_any_order_store_each_once()
    {
        // One event's deliveries land in different group commits, each with other events in another order: every
        // delivery is answered 200, and each event is stored once, with one hand-off, and answered as new exactly once.
        using var ingest = new IngestClient(stack);
        var eventIds = Enumerable.Range(0, 24).Select(_ => IngestClient.NewEventId()).ToList();
        var deliveries = eventIds.SelectMany(id => Enumerable.Repeat(id, 4)).ToArray();
        Random.Shared.Shuffle(deliveries);

        var responses = await Task.WhenAll(deliveries.Select(async id =>
        {
            using var response = await ingest.DeliverAsync(IngestClient.AcrBody(id, email: $"{id}@example.com"), id);
            return (Id: id, response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        foreach (var id in eventIds)
        {
            Assert.Single(responses, r => r.Id == id && r.Body.Contains("\"duplicate\":false", StringComparison.Ordinal));
            Assert.Equal(1, (await ingest.GetEventAsync(id))!.Value.GetProperty("hand_offs").GetArrayLength());
        }
    }

    [Theory]
    [InlineData("wrong-secret")]
    [InlineData(null)]
    public async Task A_wrong_or_missing_secret_is_401_and_leaves_no_row(string? secret)
    {
        using var ingest = new IngestClient(stack);
        var eventId = IngestClient.NewEventId();

        using var response = await ingest.DeliverAsync(IngestClient.AcrBody(eventId), eventId, secret: secret,
            clientAddress: $"198.51.100.{Random.Shared.Next(1, 250)}");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Null(await ingest.GetEventAsync(eventId));
        Assert.DoesNotContain(await ingest.RejectedDeliveriesAsync(), r => r.GetProperty("body").GetString()!.Contains(eventId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_second_secret_of_a_rotation_is_accepted()
    {
        using var ingest = new IngestClient(stack);
        var eventId = IngestClient.NewEventId();

        using var response = await ingest.DeliverAsync(IngestClient.AcrBody(eventId), eventId, secret: stack.PreviousWebhookSecret);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(await ingest.GetEventAsync(eventId));
    }

    [Fact]
    public async Task Repeated_wrong_secrets_from_one_address_are_throttled_with_429()
    {
        using var ingest = new IngestClient(stack);
        const string attacker = "203.0.113.77";
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 25; i++)
        {
            using var response = await ingest.DeliverAsync("{}", IngestClient.NewEventId(), secret: $"guess-{i}", clientAddress: attacker);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, statuses[0]);
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);

        // Another address is not affected.
        using var other = await ingest.DeliverAsync("{}", IngestClient.NewEventId(), secret: "guess", clientAddress: "203.0.113.78");
        Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
    }

    [Theory]
    [InlineData("malformed_json", "{\"event_type\": \"ACR_CHECKOUT\", \"marker\": \"MARKER\"")]
    [InlineData("not_an_object", "[\"MARKER\", 1, 2]")]
    public async Task Bad_input_is_400_problem_json_and_the_delivery_is_kept_with_its_reason(string reason, string bodyTemplate)
    {
        using var ingest = new IngestClient(stack);
        var marker = Guid.NewGuid().ToString("N");
        var body = bodyTemplate.Replace("MARKER", marker, StringComparison.Ordinal);

        using var response = await ingest.DeliverAsync(body, eventId: IngestClient.NewEventId());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));

        var kept = Assert.Single(await ingest.RejectedDeliveriesAsync(), r => r.GetProperty("body").GetString()!.Contains(marker, StringComparison.Ordinal));
        Assert.Equal(reason, kept.GetProperty("reason").GetString());
        Assert.Equal(body, kept.GetProperty("body").GetString());
        // Kept without the secret.
        Assert.DoesNotContain(kept.GetProperty("headers").EnumerateObject(), h => h.Name.Equals("X-Flexype-Authorization", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(stack.WebhookSecret, kept.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_event_id_past_256_characters_is_400_and_the_delivery_is_kept_under_its_first_256()
    {
        using var ingest = new IngestClient(stack);
        var marker = Guid.NewGuid().ToString("N");
        var eventId = marker + new string('x', 300);
        var body = $$"""{ "event_type": "ACR_CHECKOUT", "checkout_url": "https://long-id.myshopify.com/?flx_s={{marker}}", "session_state": "INITIATED" }""";

        using var response = await ingest.DeliverAsync(body, eventId: eventId);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("at most 256", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var kept = Assert.Single(await ingest.RejectedDeliveriesAsync(), r => r.GetProperty("body").GetString()!.Contains(marker, StringComparison.Ordinal));
        Assert.Equal("event_id_too_long", kept.GetProperty("reason").GetString());
        Assert.Equal(eventId[..256], kept.GetProperty("event_id").GetString());
        Assert.Null(await ingest.GetEventAsync(eventId[..256]));
    }

    [Fact]
    public async Task A_delivery_without_any_event_id_is_stored_under_its_content_id_and_its_retry_is_a_duplicate()
    {
        using var ingest = new IngestClient(stack);
        // A legacy ACR as FlexyPe's pages document it: no X-Event-Id, no event_id in the body.
        var body = $$"""{ "checkout_url": "https://legacy-store.myshopify.com/?flx_s={{Guid.NewGuid()}}", "session_state": "INITIATED", "total_payable": 630 }""";

        using var first = await ingest.DeliverAsync(body, eventId: null);
        using var retry = await ingest.DeliverAsync(body, eventId: null);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("""{"received":true,"duplicate":false}""", await first.Content.ReadAsStringAsync());
        Assert.Equal("""{"received":true,"duplicate":true}""", await retry.Content.ReadAsStringAsync());
        // The documented content id: "content-" and the first 32 hex digits of the body's SHA-256 (docs/ingest.md).
        var contentId = "content-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(body)))[..32];
        var stored = await ingest.GetEventAsync(contentId);
        Assert.Equal("abandoned_checkout", stored!.Value.GetProperty("normalized").At("type"));
    }

    [Fact]
    public async Task The_raw_body_is_kept_as_sent_with_its_keys_in_the_senders_order()
    {
        using var ingest = new IngestClient(stack);
        var eventId = IngestClient.NewEventId();
        // A long key first and a short one last: Postgres's jsonb would have put them the other way round.
        var body = IngestClient.AcrBody(eventId).Trim();
        body = "{ \"x_sender_note_written_first\": 1, " + body[1..^1] + ", \"z\": 2 }";

        using var response = await ingest.DeliverAsync(body, eventId);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var raw = (await ingest.GetEventAsync(eventId))!.Value.GetProperty("raw");
        string[] sent = [.. JsonDocument.Parse(body).RootElement.EnumerateObject().Select(p => p.Name)];
        Assert.Equal(sent, raw.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["x_sender_note_written_first", "event_time", "event_type", "event_id", "store", "payload", "z"], sent);
    }

    [Fact]
    public async Task A_NUL_character_in_a_string_is_stored_not_refused()
    {
        using var ingest = new IngestClient(stack);
        var eventId = IngestClient.NewEventId();
        var body = IngestClient.AcrBody(eventId).Replace("\"Brownie\"", "\"Brow\\u0000nie\"", StringComparison.Ordinal);
        Assert.Contains("\\u0000", body, StringComparison.Ordinal);

        using var response = await ingest.DeliverAsync(body, eventId);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stored = (await ingest.GetEventAsync(eventId))!.Value;
        Assert.Equal("Brow\uFFFDnie", stored.GetProperty("normalized").At("cart.0.title"));
        Assert.Equal("Brow\u0000nie", stored.GetProperty("raw").At("payload.cart_items.0.title"));
    }

    [Fact]
    public async Task A_body_over_1_MiB_is_413()
    {
        using var ingest = new IngestClient(stack);
        var eventId = IngestClient.NewEventId();
        var body = $$"""{ "event_id": "{{eventId}}", "padding": "{{new string('x', 1024 * 1024)}}" }""";

        using var response = await ingest.DeliverAsync(body, eventId);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Null(await ingest.GetEventAsync(eventId));
    }

    [Fact]
    public async Task Operator_api_needs_the_admin_key()
    {
        using var ingest = new IngestClient(stack);

        using var without = await ingest.Admin(HttpMethod.Get, "/api/events", key: "not-the-key");
        using var with = await ingest.Admin(HttpMethod.Get, "/api/events");

        Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
        Assert.Equal(HttpStatusCode.OK, with.StatusCode);
    }

    [Fact]
    public async Task Events_can_be_found_by_type_and_email()
    {
        using var ingest = new IngestClient(stack);
        var eventId = IngestClient.NewEventId();
        var email = $"Finder-{Guid.NewGuid():N}@Example.com";
        using var _ = await ingest.DeliverAsync(IngestClient.AcrBody(eventId, email), eventId);

        var found = await ingest.ListEventsAsync($"type=abandoned_checkout&email={Uri.EscapeDataString(email)}");

        var summary = Assert.Single(found);
        Assert.Equal(eventId, summary.GetProperty("event_id").GetString());
        Assert.Equal(email.ToLowerInvariant(), summary.GetProperty("email").GetString());
    }

    [Fact]
    public async Task The_openapi_document_describes_the_operator_api()
    {
        using var http = stack.CreateHttpClient("ingest");
        var document = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json")).RootElement;
        var paths = document.GetProperty("paths");

        Assert.True(paths.TryGetProperty("/api/events", out _));
        Assert.True(paths.TryGetProperty("/api/events/{eventId}", out _));
        Assert.True(paths.TryGetProperty("/api/events/{eventId}/replay", out _));
        Assert.True(paths.TryGetProperty("/api/rejected-deliveries", out _));
    }

    [Fact]
    public async Task A_large_event_is_stored_lz4_compressed_and_reads_back_as_sent()
    {
        // A cart of 40 items puts the row over the size at which Postgres compresses its largest values; the migration
        // EventTextCompressedWithLz4 makes that lz4 instead of pglz, in the group commit every delivery waits for.
        using var ingest = new IngestClient(stack);
        var eventId = IngestClient.NewEventId();
        var body = JsonNode.Parse(IngestClient.AcrBody(eventId))!;
        body["payload"]!["cart_items"] = new JsonArray([.. Enumerable.Range(1, 40).Select(i =>
            (JsonNode)new JsonObject { ["title"] = $"Handloom cotton kurta, indigo, size {i}", ["price"] = 1200 + i, ["quantity"] = 1 })]);
        var sent = body.ToJsonString();

        using var response = await ingest.DeliverAsync(sent, eventId);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var ingestDb = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("ingestdb"));
        await ingestDb.OpenAsync();
        await using var read = new NpgsqlCommand(
            "SELECT pg_column_compression(raw), pg_column_compression(normalized), raw FROM events WHERE event_id = $1", ingestDb)
        {
            Parameters = { new() { Value = eventId } },
        };
        await using var row = await read.ExecuteReaderAsync();
        Assert.True(await row.ReadAsync(), "the event is stored");
        Assert.Equal("lz4", row.GetString(0));
        Assert.Equal("lz4", row.GetString(1));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(sent), JsonNode.Parse(row.GetString(2))), "the stored body reads back as sent");
    }
}

/// <summary>The hand-off to Workflows, and an operator's replay of it.</summary>
[Collection(RecoveryStackCollection.Name)]
public sealed class HandOffTests(RecoveryStack stack)
{
    [Fact]
    public async Task Replay_hands_a_stored_event_to_workflows_again_and_workflows_keeps_it_once()
    {
        using var ingest = new IngestClient(stack);
        var eventId = IngestClient.NewEventId();
        using (var delivered = await ingest.DeliverAsync(IngestClient.AcrBody(eventId), eventId))
        {
            Assert.Equal(HttpStatusCode.OK, delivered.StatusCode);
        }
        await Eventually.TrueAsync(async () => (await WorkflowsInbox.ReceivedAsync(stack)).ContainsKey(eventId), "Workflows to receive the event", TimeSpan.FromSeconds(30));

        using var replay = await ingest.Admin(HttpMethod.Post, $"/api/events/{eventId}/replay");

        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        await Eventually.TrueAsync(async () =>
        {
            var handOffs = (await ingest.GetEventAsync(eventId))!.Value.GetProperty("hand_offs");
            return handOffs.GetArrayLength() == 2 && handOffs.EnumerateArray().All(h => h.GetProperty("delivered_at").ValueKind != JsonValueKind.Null);
        }, "the replay to be handed over", TimeSpan.FromSeconds(30));
        Assert.Equal(1, (await WorkflowsInbox.ReceivedAsync(stack))[eventId]);
    }

    [Fact]
    public async Task One_shoppers_hand_offs_share_an_ordering_key_that_does_not_hold_their_address()
    {
        // The relay sends the hand-offs of one ordering key in one batch (OutboxBatches), so Workflows' concurrent batches
        // do not wait on each other's shopper locks.
        using var ingest = new IngestClient(stack);
        var shopper = $"{Guid.NewGuid():N}@example.com";
        var other = $"{Guid.NewGuid():N}@example.com";
        (string Id, string Email)[] deliveries = [(IngestClient.NewEventId(), shopper), (IngestClient.NewEventId(), shopper), (IngestClient.NewEventId(), other)];
        foreach (var (id, email) in deliveries)
        {
            using var response = await ingest.DeliverAsync(IngestClient.AcrBody(id, email), id);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await using var ingestDb = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("ingestdb"));
        await ingestDb.OpenAsync();
        var keys = new List<string?>();
        foreach (var (id, _) in deliveries)
        {
            await using var read = new NpgsqlCommand("SELECT ordering_key FROM outbox_messages WHERE key::jsonb ->> 1 = $1", ingestDb)
            {
                Parameters = { new() { Value = id } },
            };
            keys.Add(await read.ExecuteScalarAsync() as string);
        }

        Assert.All(keys, key => Assert.False(string.IsNullOrEmpty(key)));
        Assert.Equal(keys[0], keys[1]);
        Assert.NotEqual(keys[0], keys[2]);
        Assert.All(keys, key => Assert.DoesNotContain("example.com", key!, StringComparison.OrdinalIgnoreCase));
        Assert.All(keys, key => Assert.DoesNotContain(shopper.Split('@')[0], key!, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task An_event_is_stored_once_and_reaches_workflows_as_ingest_normalized_it()
    {
        using var ingest = new IngestClient(stack);
        var eventId = IngestClient.NewEventId();

        using var response = await ingest.DeliverAsync(IngestClient.AcrBody(eventId), eventId);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stored = (await ingest.GetEventAsync(eventId))!.Value;
        var storeId = stored.GetProperty("event").GetProperty("store_id").GetString()!;
        // The hand-off row names the event; it holds no second copy of it.
        await using (var ingestDb = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("ingestdb")))
        {
            await ingestDb.OpenAsync();
            await using var handOff = new NpgsqlCommand("SELECT payload IS NULL FROM outbox_messages WHERE key::jsonb = jsonb_build_array($1::text, $2::text)", ingestDb)
            {
                Parameters = { new() { Value = storeId }, new() { Value = eventId } },
            };
            Assert.Equal(true, await handOff.ExecuteScalarAsync());
        }

        await using var workflowsDb = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("workflowsdb"));
        await workflowsDb.OpenAsync();
        var received = await Eventually.GetAsync(async () =>
        {
            await using var read = new NpgsqlCommand("SELECT payload::text FROM received_events WHERE store_id = $1 AND event_id = $2", workflowsDb)
            {
                Parameters = { new() { Value = storeId }, new() { Value = eventId } },
            };
            return await read.ExecuteScalarAsync() as string;
        }, "Workflows to take the event in");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(stored.GetProperty("normalized").GetRawText()), JsonNode.Parse(received)),
            $"Workflows received {received}");
    }

    [Fact]
    public async Task Replaying_an_unknown_event_is_404_problem_json()
    {
        using var ingest = new IngestClient(stack);

        using var replay = await ingest.Admin(HttpMethod.Post, $"/api/events/{IngestClient.NewEventId()}/replay");

        Assert.Equal(HttpStatusCode.NotFound, replay.StatusCode);
        Assert.Equal("application/problem+json", replay.Content.Headers.ContentType?.MediaType);
    }
}
