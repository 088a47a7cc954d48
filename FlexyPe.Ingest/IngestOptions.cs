using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace FlexyPe.Ingest;

/// <summary>Checks the <see cref="IngestOptions"/> attributes at start-up (source-generated).</summary>
[OptionsValidator]
public sealed partial class IngestOptionsValidator : IValidateOptions<IngestOptions>;

/// <summary>Settings under <c>Ingest:</c> (the AppHost forwards its own <c>Ingest:*</c> settings here).</summary>
public sealed class IngestOptions
{
    public const string Section = "Ingest";

    /// <summary>Every secret currently accepted in <c>X-Flexype-Authorization</c>; more than one during a rotation.</summary>
    public List<string> WebhookSecrets { get; set; } = [];

    /// <summary>Largest body accepted; FlexyPe's bodies are a few KB.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>How long a delivery may wait for its commit before it is answered 503; FlexyPe gives up at 10 s.</summary>
    public TimeSpan CommitTimeout { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>Wrong or missing secrets allowed per client address per <see cref="FailedAuthWindow"/>, then 429.</summary>
    [Range(1, int.MaxValue)]
    public int FailedAuthLimit { get; set; } = 20;

    public TimeSpan FailedAuthWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long Redis remembers an event id (Postgres remembers it for ever).</summary>
    public TimeSpan DedupeTtl { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Most deliveries committed in one transaction (group commit).</summary>
    [Range(1, 10_000)]
    public int MaxBatchSize { get; set; } = 256;

    /// <summary>Without a secret every delivery would be refused: better not to start at all.</summary>
    public static bool HasWebhookSecret(IngestOptions options) => options.WebhookSecrets.Any(s => !string.IsNullOrWhiteSpace(s));
}
