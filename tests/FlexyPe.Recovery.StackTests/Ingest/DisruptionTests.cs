using System.Net;
using System.Text.Json;
using FlexyPe.Recovery.StackTests.Stack;

namespace FlexyPe.Recovery.StackTests.Ingest;

/// <summary>A stack of its own, whose Postgres, Redis and Workflows the tests stop and start.</summary>
public sealed class DisruptedStack : RecoveryStack;

[CollectionDefinition(Name)]
public sealed class DisruptedStackCollection : ICollectionFixture<DisruptedStack>
{
    public const string Name = "Disrupted stack";
}

/// <summary>Guarantees 1, 2 and 4: a 200 means durable, every stored event reaches Workflows, dedupe never loses.</summary>
[Collection(DisruptedStackCollection.Name)]
public sealed class DisruptionTests(DisruptedStack stack)
{
    [Fact]
    public async Task Postgres_down_is_503_with_retry_after_within_5_s_and_the_retry_is_stored_once()
    {
        using var ingest = new IngestClient(stack);
        var eventId = IngestClient.NewEventId();

        await stack.StopAsync("postgres");
        HttpResponseMessage refused;
        try
        {
            // The client gives up at 5 s: a slower answer fails the test.
            refused = await ingest.DeliverAsync(IngestClient.AcrBody(eventId), eventId, timeout: TimeSpan.FromSeconds(5));
        }
        finally
        {
            await stack.StartAsync("postgres");
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);

        // FlexyPe retries with the same X-Event-Id until it hears 200.
        var acknowledgements = new List<string>();
        await Eventually.TrueAsync(async () =>
        {
            using var retry = await ingest.DeliverAsync(IngestClient.AcrBody(eventId), eventId);
            if (retry.StatusCode == HttpStatusCode.OK)
            {
                acknowledgements.Add(await retry.Content.ReadAsStringAsync());
            }
            return retry.StatusCode == HttpStatusCode.OK;
        }, "a retry to be acknowledged once Postgres is back", TimeSpan.FromSeconds(60));
        using var again = await ingest.DeliverAsync(IngestClient.AcrBody(eventId), eventId);

        Assert.Equal("""{"received":true,"duplicate":false}""", acknowledgements.Single());
        Assert.Equal("""{"received":true,"duplicate":true}""", await again.Content.ReadAsStringAsync());
        Assert.Single(await ingest.ListEventsAsync($"checkout={eventId}-checkout"));
    }

    [Fact]
    public async Task With_postgres_down_a_retry_of_any_event_of_a_group_commit_is_still_a_duplicate_answered_from_redis()
    {
        using var ingest = new IngestClient(stack);
        var eventIds = Enumerable.Range(0, 12).Select(_ => IngestClient.NewEventId()).ToList();

        // Delivered together, so the writer commits them in one or a few group commits; each is marked in Redis after it.
        var firsts = await Task.WhenAll(eventIds.Select(async id =>
        {
            using var response = await ingest.DeliverAsync(IngestClient.AcrBody(id), id);
            return await response.Content.ReadAsStringAsync();
        }));
        Assert.All(firsts, body => Assert.Equal("""{"received":true,"duplicate":false}""", body));

        var retries = new List<(HttpStatusCode Status, string Body)>();
        await stack.StopAsync("postgres");
        try
        {
            foreach (var id in eventIds)
            {
                using var retry = await ingest.DeliverAsync(IngestClient.AcrBody(id), id, timeout: TimeSpan.FromSeconds(5));
                retries.Add((retry.StatusCode, await retry.Content.ReadAsStringAsync()));
            }
        }
        finally
        {
            await stack.StartAsync("postgres");
        }

        Assert.All(retries, retry =>
        {
            Assert.Equal(HttpStatusCode.OK, retry.Status);
            Assert.Equal("""{"received":true,"duplicate":true}""", retry.Body);
        });

        // Postgres is back: a new event is stored again (its first try may meet a connection from before, a 503 FlexyPe retries).
        var next = IngestClient.NewEventId();
        await Eventually.TrueAsync(async () =>
        {
            using var response = await ingest.DeliverAsync(IngestClient.AcrBody(next), next);
            return response.StatusCode == HttpStatusCode.OK;
        }, "a new event to be stored once Postgres is back", TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task Redis_down_still_stores_each_delivery_exactly_once()
    {
        using var ingest = new IngestClient(stack);
        var eventIds = Enumerable.Range(0, 5).Select(_ => IngestClient.NewEventId()).ToList();
        var first = new List<string>();
        var second = new List<string>();

        await stack.StopAsync("redis");
        try
        {
            foreach (var id in eventIds)
            {
                using var response = await ingest.DeliverAsync(IngestClient.AcrBody(id), id);
                first.Add(await response.Content.ReadAsStringAsync());
            }
            foreach (var id in eventIds)
            {
                using var response = await ingest.DeliverAsync(IngestClient.AcrBody(id), id);
                second.Add(await response.Content.ReadAsStringAsync());
            }
        }
        finally
        {
            await stack.StartAsync("redis");
        }

        Assert.All(first, body => Assert.Equal("""{"received":true,"duplicate":false}""", body));
        Assert.All(second, body => Assert.Equal("""{"received":true,"duplicate":true}""", body));
        foreach (var id in eventIds)
        {
            Assert.Single(await ingest.ListEventsAsync($"checkout={id}-checkout"));
        }
    }

    [Fact]
    public async Task Events_that_arrive_while_workflows_is_down_all_reach_it_once_it_is_back()
    {
        using var ingest = new IngestClient(stack);
        var eventIds = Enumerable.Range(0, 10).Select(_ => IngestClient.NewEventId()).ToList();

        await stack.StopAsync("workflows");
        try
        {
            foreach (var id in eventIds)
            {
                using var response = await ingest.DeliverAsync(IngestClient.AcrBody(id), id);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            // Stored and acknowledged, but nothing could be handed over.
            foreach (var id in eventIds)
            {
                var handOff = (await ingest.GetEventAsync(id))!.Value.GetProperty("hand_offs")[0];
                Assert.Equal(JsonValueKind.Null, handOff.GetProperty("delivered_at").ValueKind);
            }
        }
        finally
        {
            await stack.StartAsync("workflows");
        }

        await Eventually.TrueAsync(async () =>
        {
            var received = await ReceivedByWorkflowsAsync();
            return eventIds.All(received.ContainsKey);
        }, "every event to reach Workflows", TimeSpan.FromSeconds(120));

        var received = await ReceivedByWorkflowsAsync();
        Assert.All(eventIds, id => Assert.Equal(1, received[id]));

        // Ingest marks a hand-off delivered once Workflows' answer is back, a moment after Workflows committed it.
        foreach (var id in eventIds)
        {
            await Eventually.TrueAsync(async () =>
            {
                var handOff = (await ingest.GetEventAsync(id))!.Value.GetProperty("hand_offs")[0];
                return handOff.GetProperty("delivered_at").ValueKind != JsonValueKind.Null;
            }, $"the hand-off of {id} to be marked delivered");
        }
    }

    private Task<Dictionary<string, int>> ReceivedByWorkflowsAsync() => WorkflowsInbox.ReceivedAsync(stack);
}
