using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace FlexyPe.Ingest.Verification;

public enum AuthenticationOutcome
{
    Verified,
    Refused,
    TooManyFailures,
}

/// <summary>What <see cref="WebhookAuthenticator.Authenticate"/> decided; <see cref="RetryAfter"/> goes with a 429.</summary>
public readonly record struct Authentication(AuthenticationOutcome Outcome, TimeSpan RetryAfter = default);

/// <summary>
/// Checks <c>X-Flexype-Authorization</c> against every configured secret in constant time (FlexyPe sends the shared
/// secret itself; there is no signature), and limits wrong attempts per client address.
/// </summary>
/// <remarks>
/// The right secret is accepted whatever came before it: wrong attempts from an address (or from a proxy that hides
/// addresses) must never hold up FlexyPe's deliveries, which it retries only three times. So the limit does not slow
/// down guessing, which a generated 32-character secret makes hopeless anyway; it keeps junk cheap (429 before the
/// body is read, no log line each) and visible (<c>flexype.ingest.deliveries.rejected{reason=too_many_failures}</c>).
/// The address is the connection's, or the one a trusted proxy forwarded (ServiceDefaults' <c>TrustedProxies</c>),
/// never a header the client wrote itself.
/// </remarks>
public sealed class WebhookAuthenticator : IDisposable
{
    public const string HeaderName = "X-Flexype-Authorization";

    private readonly IOptionsMonitor<IngestOptions> options;
    private readonly PartitionedRateLimiter<string> failures;

    public WebhookAuthenticator(IOptionsMonitor<IngestOptions> options)
    {
        this.options = options;
        failures = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetFixedWindowLimiter(
            client,
            _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = options.CurrentValue.FailedAuthLimit,
                Window = options.CurrentValue.FailedAuthWindow,
                QueueLimit = 0,
            }));
    }

    public Authentication Authenticate(string? presented, IPAddress? client)
    {
        // Compare against every secret (no early exit), so the time taken says nothing about which one matched.
        var matched = false;
        foreach (var secret in options.CurrentValue.WebhookSecrets)
        {
            matched |= !string.IsNullOrEmpty(secret) && presented is not null && AdminApiKey.Matches(presented, secret);
        }
        if (matched)
        {
            return new(AuthenticationOutcome.Verified);
        }

        using var lease = failures.AttemptAcquire(ClientKey(client));
        if (lease.IsAcquired)
        {
            return new(AuthenticationOutcome.Refused);
        }
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var untilReset) && untilReset > TimeSpan.Zero
            ? untilReset
            : options.CurrentValue.FailedAuthWindow;
        return new(AuthenticationOutcome.TooManyFailures, retryAfter);
    }

    /// <summary>
    /// The limiter's key for a client: its IPv4 address (also when it arrives IPv4-mapped), or its IPv6 /64, the block
    /// one subscriber gets, so that walking through one's own block does not buy more attempts.
    /// </summary>
    public static string ClientKey(IPAddress? client)
    {
        if (client is null)
        {
            return "unknown";
        }
        if (client.IsIPv4MappedToIPv6)
        {
            return client.MapToIPv4().ToString();
        }
        if (client.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return client.ToString();
        }
        var bytes = client.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return $"{new IPAddress(bytes)}/64";
    }

    public void Dispose() => failures.Dispose();
}
