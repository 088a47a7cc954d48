using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace FlexyPe.Notifier;

/// <summary>Checks the <see cref="NotifierOptions"/> attributes at start-up (source-generated).</summary>
[OptionsValidator]
public sealed partial class NotifierOptionsValidator : IValidateOptions<NotifierOptions>;

/// <summary>The <c>Notifier:</c> settings (the AppHost forwards its own <c>Notifier:</c> settings here).</summary>
public sealed class NotifierOptions
{
    public const string SectionName = "Notifier";

    /// <summary>Where the unsubscribe and tracked links in emails point.</summary>
    public string PublicBaseUrl { get; set; } = "http://localhost:5300";

    /// <summary>The From of stores without their own setting.</summary>
    public string DefaultFrom { get; set; } = "FlexyPe Recovery <recovery@localhost>";

    /// <summary>Per store id: From and Reply-To.</summary>
    public Dictionary<string, StoreSettings> Stores { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    [ValidateObjectMembers]
    public SendingOptions Sending { get; set; } = new();
    [ValidateObjectMembers]
    public SmtpPoolOptions Smtp { get; set; } = new();
    public DeliveryEventOptions DeliveryEvents { get; set; } = new();
    public Dkim.DkimOptions Dkim { get; set; } = new();

    public StoreSettings StoreSettingsFor(string storeId)
        => Stores.TryGetValue(storeId, out var settings) ? settings : new StoreSettings();
}

public sealed class StoreSettings
{
    public string? From { get; set; }
    public string? ReplyTo { get; set; }
}

public sealed class SendingOptions
{
    /// <summary>Concurrent send loops in this process; each holds at most one SMTP connection.</summary>
    [Range(1, 64)]
    public int Workers { get; set; } = 4;

    /// <summary>
    /// The longest an idle worker sleeps without a wake-up (a new request's commit wakes it, and a retry's due time),
    /// should one be lost.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan MaxSleep { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Quick retries inside one claim (Polly), before the request is put back with a longer delay.</summary>
    public int ImmediateRetries { get; set; } = 2;

    /// <summary>First delay before a request whose quick retries all failed is tried again; doubles each time.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>After this many claims that ended in transient failures, the request is dead-lettered.</summary>
    [Range(1, 1000)]
    public int MaxAttempts { get; set; } = 50;
}

public sealed class SmtpPoolOptions
{
    /// <summary>Most SMTP connections this process keeps open.</summary>
    [Range(1, 64)]
    public int PoolSize { get; set; } = 4;

    /// <summary>An idle connection older than this is closed rather than reused (servers drop idle clients).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Keep connections open for the next message (the default). False closes each connection after its message,
    /// a connection per message: for servers that accept one message per connection, and for benchmarks.
    /// </summary>
    public bool ReuseConnections { get; set; } = true;

    /// <summary>
    /// SHA-256 thumbprints (hex; colons and spaces allowed) of server certificates to accept although they do not
    /// validate: a private relay's self-signed or private-CA certificate. Any other certificate must validate.
    /// </summary>
    public List<string> TrustedCertificateThumbprints { get; set; } = [];
}

/// <summary>Where delivery events go; how often they are retried is the outbox's (<c>Notifier:Outbox:</c>).</summary>
public sealed class DeliveryEventOptions
{
    public string Endpoint { get; set; } = "http://workflows/internal/delivery-events";
}
