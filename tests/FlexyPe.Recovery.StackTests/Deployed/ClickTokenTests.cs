using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using FlexyPe.Chaos.Stack;
using Npgsql;
using Xunit.Abstractions;

namespace FlexyPe.Recovery.StackTests.Deployed;

/// <summary>
/// A tracked link cannot be forged, altered, or pointed anywhere the message did not link to: every made-up or changed
/// token answers 400 problem+json with no redirect and records no click; an unsubscribe token is no click token (nor
/// the other way round); the real one redirects to the message's own URL.
/// </summary>
[Collection(DeployedStackCollection.Name)]
public sealed class ClickTokenTests(DeployedStackFixture fixture, ITestOutputHelper output)
{
    private const string ShopUrl = "https://click-store.example.com/products/walnut-brownie?ref=email";

    [Fact]
    public async Task Forged_and_altered_click_tokens_are_refused_and_the_real_one_redirects_to_the_messages_own_link()
    {
        var stack = fixture.Stack;
        var address = Enumerable.Range(0, 100).Select(_ => $"click-{Guid.NewGuid():N}@example.com")
            .First(a => !JournalSmtpServer.Bounces(a, stack.Options.BounceRate));
        using var notifier = new HttpClient { BaseAddress = stack.Url(DeployedStack.Notifier) };
        notifier.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", fixture.AdminApiKey);
        var created = await notifier.PostAsJsonAsync("/api/message-requests", new Dictionary<string, object>
        {
            ["idempotency_key"] = $"click-test:{Guid.NewGuid():N}", ["store_id"] = "click-store.myshopify.com", ["store_name"] = "Click Store",
            ["to"] = address, ["subject"] = "Clicks", ["html_body"] = $"<p><a href=\"{ShopUrl}\">Your brownie</a></p>",
            ["tags"] = new Dictionary<string, string>(), ["track_clicks"] = true,
        });
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        var entry = await Eventually.GetAsync(() => Task.FromResult(JournalSmtpServer.Read(stack.JournalPath).FirstOrDefault(e => e.To == address)),
            $"the message to {address} at the SMTP server");
        var link = entry!.Links.First(l => l.Contains("/c/", StringComparison.Ordinal));
        var token = link[(link.LastIndexOf('/') + 1)..];
        var unsubscribeToken = entry.ListUnsubscribe!.Split(',').Select(p => p.Trim().Trim('<', '>')).First(p => p.StartsWith("http", StringComparison.Ordinal)).Split('/')[^1];

        var forged = ForgedTokens.From(token, seed: 11, unsubscribeToken);

        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = stack.Url(DeployedStack.Notifier) };
        foreach (var fake in forged)
        {
            using var response = await browser.GetAsync($"/c/{fake}");
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"/c/{fake}: {(int)response.StatusCode} {response.Headers.Location}");
            Assert.Null(response.Headers.Location);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        // A click token is no unsubscribe link either.
        using (var crossed = await browser.PostAsync($"/unsubscribe/{token}", new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")])))
        {
            Assert.Equal(HttpStatusCode.BadRequest, crossed.StatusCode);
        }
        output.WriteLine($"{forged.Count} forged click tokens, each refused");
        Assert.Equal(0, await ClicksAsync(stack, address));

        using var real = await browser.GetAsync($"/c/{token}");
        Assert.Equal(HttpStatusCode.Redirect, real.StatusCode);
        Assert.Equal(ShopUrl, real.Headers.Location?.ToString());
        Assert.Equal(1, await ClicksAsync(stack, address));
    }

    /// <summary>The clicks Notifier recorded for the address (its delivery events).</summary>
    private static async Task<long> ClicksAsync(DeployedStack stack, string address)
    {
        await using var connection = new NpgsqlConnection(stack.ConnectionString("notifierdb"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM outbox_messages WHERE payload ->> 'type' = 'clicked' AND payload ->> 'email' = @email", connection);
        command.Parameters.AddWithValue("email", address);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
