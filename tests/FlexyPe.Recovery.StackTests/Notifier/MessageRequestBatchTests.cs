using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FlexyPe.Recovery.StackTests.Stack;

namespace FlexyPe.Recovery.StackTests.Notifier;

/// <summary>
/// <c>POST /api/message-requests/batch</c>, as Workflows' outbox relay hands requests over (docs/hand-offs.md): one
/// answer per request in order, each new request sent once, a key seen before (in an earlier call or earlier in the
/// same batch) a duplicate, and a bad request refused alone.
/// </summary>
[Collection(RecoveryStackCollection.Name)]
public sealed class MessageRequestBatchTests(RecoveryStack stack) : IDisposable
{
    private readonly HttpClient notifierHttp = stack.CreateHttpClient("notifier");
    private readonly HttpClient mailHttp = new() { BaseAddress = stack.App.GetEndpoint("mail", "http") };

    private NotifierClient Notifier => new(notifierHttp, stack.AdminApiKey);
    private MailSink Mail => new(mailHttp);

    private static string NewAddress() => $"shopper-{Guid.NewGuid():N}@example.test";

    private static string NewKey() => $"enrollment:{Guid.NewGuid()}:step:1";

    private async Task<HttpResponseMessage> PostBatchAsync(object body)
    {
        using var message = Notifier.Authorized(HttpMethod.Post, "/api/message-requests/batch");
        message.Content = JsonContent.Create(body);
        return await notifierHttp.SendAsync(message);
    }

    [Fact]
    public async Task A_batch_answers_each_request_in_order_and_sends_each_new_one_once()
    {
        string first = NewAddress(), second = NewAddress(), earlier = NewAddress();
        string firstKey = NewKey(), secondKey = NewKey(), earlierKey = NewKey(), invalidKey = NewKey();
        var earlierId = await Notifier.SendAsync(NotifierClient.Request(earlierKey, earlier));

        using var response = await PostBatchAsync(new
        {
            requests = new object[]
            {
                new { trace_parent = (string?)null, request = NotifierClient.Request(firstKey, first) },
                new { trace_parent = $"00-{Guid.NewGuid():N}-{Guid.NewGuid().ToString("N")[..16]}-01", request = NotifierClient.Request(secondKey, second) },
                new { trace_parent = (string?)null, request = NotifierClient.Request(invalidKey, "not an address") },
                new { trace_parent = (string?)null, request = NotifierClient.Request(earlierKey, earlier) },
                new { trace_parent = (string?)null, request = NotifierClient.Request(firstKey, first) },
            },
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").EnumerateArray().ToList();
        Assert.Equal([firstKey, secondKey, invalidKey, earlierKey, firstKey], results.Select(r => r.GetProperty("idempotency_key").GetString()));
        Assert.Equal(["accepted", "accepted", "invalid", "duplicate", "duplicate"], results.Select(r => r.GetProperty("status").GetString()));
        Assert.Contains("to", results[2].GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.Equal(earlierId, results[3].GetProperty("id").GetString());
        var firstId = results[0].GetProperty("id").GetString()!;
        Assert.Equal(firstId, results[4].GetProperty("id").GetString());

        Assert.Equal("sent", await Notifier.FinalStatusAsync(firstId));
        Assert.Equal("sent", await Notifier.FinalStatusAsync(results[1].GetProperty("id").GetString()!));
        Assert.Equal("sent", await Notifier.FinalStatusAsync(earlierId));
        foreach (var address in new[] { first, second, earlier })
        {
            await Mail.OneMessageToAsync(address);
        }
        // A moment for a second copy to arrive, were one sent.
        await Task.Delay(TimeSpan.FromSeconds(2));
        foreach (var address in new[] { first, second, earlier })
        {
            Assert.Single(await Mail.MessagesToAsync(address));
        }
    }

    [Fact]
    public async Task A_request_postgres_will_not_store_is_answered_invalid_alone_and_the_rest_of_its_batch_is_sent()
    {
        string good = NewAddress(), bad = NewAddress();
        string goodKey = NewKey(), badKey = NewKey();

        using var response = await PostBatchAsync(new
        {
            requests = new object[]
            {
                // A NUL character: valid JSON, but no Postgres text column takes it.
                new { trace_parent = (string?)null, request = NotifierClient.Request(badKey, bad, html: "<p>Hello\0there</p>") },
                new { trace_parent = (string?)null, request = NotifierClient.Request(goodKey, good) },
            },
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(["invalid", "accepted"], results.Select(r => r.GetProperty("status").GetString()));
        Assert.StartsWith("could not be stored", results[0].GetProperty("errors").GetProperty("request")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal("sent", await Notifier.FinalStatusAsync(results[1].GetProperty("id").GetString()!));
        await Mail.OneMessageToAsync(good);
        Assert.Empty(await Mail.MessagesToAsync(bad));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(501)]
    public async Task An_empty_or_too_large_batch_is_refused_with_a_problem_and_nothing_stored(int count)
    {
        var to = NewAddress();
        var keys = Enumerable.Range(0, count).Select(_ => NewKey()).ToList();
        using var response = await PostBatchAsync(new
        {
            requests = keys.Select(key => new { trace_parent = (string?)null, request = NotifierClient.Request(key, to) }).ToList(),
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("requests", out _), problem.GetRawText());
        if (count > 0)
        {
            // Nothing of a refused batch was stored: its first key is still new.
            using var single = await Notifier.PostRequestAsync(NotifierClient.Request(keys[0], to));
            Assert.Equal(HttpStatusCode.Accepted, single.StatusCode);
        }
    }

    public void Dispose()
    {
        notifierHttp.Dispose();
        mailHttp.Dispose();
    }
}
