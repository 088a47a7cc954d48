using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace FlexyPe.Ingest.Verification;

public enum AuthenticationOutcome
{
    Verified,
    Refused,
    TooManyFailures,
}

/// <summary>
/// Checks <c>X-Flexype-Authorization</c> against every configured secret in constant time (FlexyPe sends the shared
/// secret itself; there is no signature), and limits wrong attempts per client address.
/// </summary>
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

    public TimeSpan RetryAfter => options.CurrentValue.FailedAuthWindow;

    public AuthenticationOutcome Authenticate(string? presented, IPAddress? client)
    {
        var clientKey = client?.ToString() ?? "unknown";
        if (failures.GetStatistics(clientKey)?.CurrentAvailablePermits == 0)
        {
            return AuthenticationOutcome.TooManyFailures;
        }

        var secrets = options.CurrentValue.WebhookSecrets.Where(s => !string.IsNullOrEmpty(s)).ToList();
        // Compare against every secret (no early exit), so the time taken says nothing about which one matched.
        var matched = false;
        foreach (var secret in secrets)
        {
            matched |= presented is not null && AdminApiKey.Matches(presented, secret);
        }

        if (matched)
        {
            return AuthenticationOutcome.Verified;
        }

        using var lease = failures.AttemptAcquire(clientKey);
        return AuthenticationOutcome.Refused;
    }

    public void Dispose() => failures.Dispose();
}
