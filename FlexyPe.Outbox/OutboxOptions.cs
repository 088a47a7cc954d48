using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace FlexyPe.Outbox;

/// <summary>Checks the <see cref="OutboxOptions"/> attributes at start-up (source-generated).</summary>
[OptionsValidator]
public sealed partial class OutboxOptionsValidator : IValidateOptions<OutboxOptions>;

/// <summary>A service's outbox settings (<c>&lt;Service&gt;:Outbox:</c>); each service sets its own defaults.</summary>
public sealed class OutboxOptions
{
    /// <summary>Rows claimed in one transaction.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>Rows handed to the sender in one call (one request, for a receiver that takes batches).</summary>
    [Range(1, 500)]
    public int SendBatchSize { get; set; } = 1;

    /// <summary>Sender calls in flight at once.</summary>
    [Range(1, 64)]
    public int Concurrency { get; set; } = 4;

    /// <summary>
    /// The longest the relay sleeps without being woken: the sweep for rows nothing announced (written by a process
    /// that died before its commit was heard, or while this one was not listening).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The wait after a first failed attempt; it doubles with each further failure.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The backoff's ceiling: a row is retried at least this often for as long as it is not delivered.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "7.00:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A ceiling under the first delay would make the first delay a lie; refuse it at start-up.</summary>
    public static bool HasOrderedDelays(OutboxOptions options) => options.MaxRetryDelay >= options.FirstRetryDelay;
}
