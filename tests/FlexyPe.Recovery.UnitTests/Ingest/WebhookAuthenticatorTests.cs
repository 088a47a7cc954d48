using System.Net;
using FlexyPe.Ingest;
using FlexyPe.Ingest.Verification;
using Microsoft.Extensions.Options;

namespace FlexyPe.Recovery.UnitTests.Ingest;

/// <summary>The secret check and the limit on wrong attempts, alone (the stack tests run it behind a proxy).</summary>
public sealed class WebhookAuthenticatorTests : IDisposable
{
    private const string Secret = "the-webhook-secret-0123456789abcdef";
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly WebhookAuthenticator authenticator = new(new FixedOptions(new IngestOptions
    {
        WebhookSecrets = [Secret],
        FailedAuthLimit = 20,
        FailedAuthWindow = Window,
    }));

    [Fact]
    public void The_right_secret_is_accepted_after_the_limit_of_wrong_ones_from_the_same_address()
    {
        var client = IPAddress.Parse("203.0.113.10");
        var outcomes = Enumerable.Range(0, 30).Select(i => authenticator.Authenticate($"guess-{i}", client).Outcome).ToList();

        var right = authenticator.Authenticate(Secret, client);

        Assert.Equal(Enumerable.Repeat(AuthenticationOutcome.Refused, 20), outcomes.Take(20));
        Assert.All(outcomes.Skip(20), outcome => Assert.Equal(AuthenticationOutcome.TooManyFailures, outcome));
        Assert.Equal(AuthenticationOutcome.Verified, right.Outcome);
    }

    [Fact]
    public void Beyond_the_limit_the_answer_says_to_retry_within_the_window()
    {
        var client = IPAddress.Parse("203.0.113.11");
        for (var i = 0; i < 20; i++)
        {
            authenticator.Authenticate("wrong", client);
        }

        var limited = authenticator.Authenticate("wrong", client);

        Assert.Equal(AuthenticationOutcome.TooManyFailures, limited.Outcome);
        Assert.InRange(limited.RetryAfter, TimeSpan.FromSeconds(1), Window);
    }

    [Fact]
    public void An_ipv4_address_arriving_ipv6_mapped_shares_its_limit()
    {
        var plain = IPAddress.Parse("198.51.100.7");
        for (var i = 0; i < 20; i++)
        {
            authenticator.Authenticate("wrong", plain);
        }

        Assert.Equal(AuthenticationOutcome.TooManyFailures, authenticator.Authenticate("wrong", plain.MapToIPv6()).Outcome);
    }

    [Fact]
    public void Walking_through_an_ipv6_64_does_not_buy_more_attempts_but_another_64_is_apart()
    {
        for (var i = 0; i < 20; i++)
        {
            authenticator.Authenticate("wrong", IPAddress.Parse($"2001:db8:1:2::{i + 1:x}"));
        }

        Assert.Equal(AuthenticationOutcome.TooManyFailures, authenticator.Authenticate("wrong", IPAddress.Parse("2001:db8:1:2:ffff::1")).Outcome);
        Assert.Equal(AuthenticationOutcome.Refused, authenticator.Authenticate("wrong", IPAddress.Parse("2001:db8:1:3::1")).Outcome);
    }

    [Fact]
    public void A_missing_secret_counts_as_a_wrong_one_and_an_empty_configured_secret_never_matches()
    {
        using var unset = new WebhookAuthenticator(new FixedOptions(new IngestOptions { WebhookSecrets = [""] }));

        Assert.Equal(AuthenticationOutcome.Refused, authenticator.Authenticate(null, IPAddress.Loopback).Outcome);
        Assert.Equal(AuthenticationOutcome.Refused, unset.Authenticate("", IPAddress.Loopback).Outcome);
    }

    public void Dispose() => authenticator.Dispose();

    private sealed class FixedOptions(IngestOptions value) : IOptionsMonitor<IngestOptions>
    {
        public IngestOptions CurrentValue => value;
        public IngestOptions Get(string? name) => value;
        public IDisposable? OnChange(Action<IngestOptions, string?> listener) => null;
    }
}
