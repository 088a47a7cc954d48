using System.Net;
using System.Text.Json;
using FlexyPe.Recovery.StackTests.Ingest;

namespace FlexyPe.Recovery.StackTests.Proxied;

/// <summary>
/// Wrong webhook secrets are limited per real client, behind the proxy as once deployed, and never at the cost of a
/// delivery with the right secret. Each test is its own set of client addresses (127.0.0.x), so none shares a limit.
/// </summary>
[Collection(ProxiedStackCollection.Name)]
public sealed class FailedSecretLimitTests(ProxiedStack stack)
{
    private const int Limit = 20;

    [Fact]
    public async Task The_right_secret_is_accepted_from_an_address_that_sent_many_wrong_ones()
    {
        using var client = stack.ClientFrom("127.0.0.11", stack.IngestPublicUrl);
        var wrong = await WrongSecretsAsync(client, Limit + 5);

        using var right = await stack.DeliverAsync(client, stack.WebhookSecret, IngestClient.AcrBody($"evt_{Guid.NewGuid():N}"));

        Assert.Equal(HttpStatusCode.TooManyRequests, wrong[^1]);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Equal("""{"received":true,"duplicate":false}""", await right.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Wrong_secrets_beyond_the_limit_are_429_problem_json_with_retry_after()
    {
        using var client = stack.ClientFrom("127.0.0.12", stack.IngestPublicUrl);
        var first = await WrongSecretsAsync(client, Limit);

        using var limited = await stack.DeliverAsync(client, "wrong-secret", "{}");

        Assert.All(first, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.Equal(429, JsonDocument.Parse(await limited.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetInt32());
        Assert.InRange(limited.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task Behind_the_trusted_proxy_the_limit_is_per_real_client()
    {
        using var noisy = stack.ClientFrom("127.0.0.21", stack.IngestPublicUrl);
        using var other = stack.ClientFrom("127.0.0.22", stack.IngestPublicUrl);
        var fromNoisy = await WrongSecretsAsync(noisy, Limit + 5);

        using var fromOther = await stack.DeliverAsync(other, "wrong-secret", "{}");

        Assert.Equal(HttpStatusCode.TooManyRequests, fromNoisy[^1]);
        Assert.Equal(HttpStatusCode.Unauthorized, fromOther.StatusCode);
    }

    [Fact]
    public async Task A_forged_forwarded_for_does_not_dodge_the_limit_directly_or_through_the_proxy()
    {
        using var direct = stack.ClientFrom("127.0.0.31", stack.IngestDirectUrl);
        using var proxied = stack.ClientFrom("127.0.0.32", stack.IngestPublicUrl);

        var fromDirect = await WrongSecretsAsync(direct, Limit + 5, i => $"203.0.113.{i + 1}");
        var fromProxied = await WrongSecretsAsync(proxied, Limit + 5, i => $"203.0.113.{i + 101}");

        Assert.Equal(HttpStatusCode.TooManyRequests, fromDirect[^1]);
        Assert.Equal(HttpStatusCode.TooManyRequests, fromProxied[^1]);
    }

    [Fact]
    public async Task A_forged_forwarded_for_does_not_frame_another_address()
    {
        const string victim = "127.0.0.41";
        using var direct = stack.ClientFrom("127.0.0.42", stack.IngestDirectUrl);
        using var proxied = stack.ClientFrom("127.0.0.43", stack.IngestPublicUrl);
        using var victimClient = stack.ClientFrom(victim, stack.IngestPublicUrl);
        await WrongSecretsAsync(direct, Limit + 5, _ => victim);
        await WrongSecretsAsync(proxied, Limit + 5, _ => victim);

        using var fromVictim = await stack.DeliverAsync(victimClient, "wrong-secret", "{}");

        Assert.Equal(HttpStatusCode.Unauthorized, fromVictim.StatusCode);
    }

    private async Task<List<HttpStatusCode>> WrongSecretsAsync(HttpClient client, int count, Func<int, string>? forwardedFor = null)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < count; i++)
        {
            using var response = await stack.DeliverAsync(client, $"guess-{i}", "{}", forwardedFor?.Invoke(i));
            statuses.Add(response.StatusCode);
        }
        return statuses;
    }
}
