using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FlexyPe.Chaos.Stack;
using Xunit.Abstractions;

namespace FlexyPe.Recovery.StackTests.Deployed;

/// <summary>
/// An unsubscribe link cannot be forged, nor turned into one for another address or store: every changed, cut or
/// made-up token answers 400 problem+json and suppresses no one; the real one suppresses exactly its own address.
/// </summary>
[Collection(DeployedStackCollection.Name)]
public sealed class UnsubscribeTokenTests(DeployedStackFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Forged_and_altered_unsubscribe_tokens_are_refused_and_the_real_one_suppresses_only_its_address()
    {
        var stack = fixture.Stack;
        var store = $"token-store-{Guid.NewGuid():N}.myshopify.com";
        // Not one of the addresses the SMTP server answers 550 (its hard bounces).
        var address = Enumerable.Range(0, 100).Select(_ => $"token-{Guid.NewGuid():N}@example.com")
            .First(a => !JournalSmtpServer.Bounces(a, stack.Options.BounceRate));
        using var notifier = new HttpClient { BaseAddress = stack.Url(DeployedStack.Notifier) };
        notifier.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", fixture.AdminApiKey);
        var created = await notifier.PostAsJsonAsync("/api/message-requests", new Dictionary<string, object>
        {
            ["idempotency_key"] = $"token-test:{Guid.NewGuid():N}", ["store_id"] = store, ["store_name"] = "Token Store", ["to"] = address,
            ["subject"] = "Tokens", ["html_body"] = "<p>Hello</p>", ["tags"] = new Dictionary<string, string>(),
        });
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        var entry = await Eventually.GetAsync(() => Task.FromResult(JournalSmtpServer.Read(stack.JournalPath).FirstOrDefault(e => e.To == address)),
            $"the message to {address} at the SMTP server");
        var link = entry!.ListUnsubscribe!.Split(',').Select(p => p.Trim().Trim('<', '>')).First(p => p.StartsWith("http", StringComparison.Ordinal));
        var token = link[(link.LastIndexOf('/') + 1)..];

        var forged = ForgedTokens.From(token, seed: 7);

        using var anonymous = new HttpClient { BaseAddress = stack.Url(DeployedStack.Notifier) };
        foreach (var fake in forged)
        {
            foreach (var method in new[] { HttpMethod.Get, HttpMethod.Post })
            {
                using var request = new HttpRequestMessage(method, $"/unsubscribe/{fake}");
                if (method == HttpMethod.Post)
                {
                    request.Content = new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]);
                }
                using var response = await anonymous.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{method} {fake}: {(int)response.StatusCode}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }
        output.WriteLine($"{forged.Count} forged tokens, each refused for GET and POST");
        Assert.Empty(await SuppressionsAsync(notifier, $"email={Uri.EscapeDataString(address)}"));

        using var real = await anonymous.PostAsync($"/unsubscribe/{token}", new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
        Assert.Equal(HttpStatusCode.OK, real.StatusCode);
        var suppressed = Assert.Single(await SuppressionsAsync(notifier, $"email={Uri.EscapeDataString(address)}"));
        Assert.Equal(store, (string)suppressed["store_id"]!);
        Assert.Empty(await SuppressionsAsync(notifier, $"store_id={Uri.EscapeDataString(store)}&email=other@example.com"));
    }

    private static async Task<List<JsonObject>> SuppressionsAsync(HttpClient notifier, string query)
        => (await notifier.GetFromJsonAsync<List<JsonObject>>($"/api/suppressions?{query}"))!;
}
