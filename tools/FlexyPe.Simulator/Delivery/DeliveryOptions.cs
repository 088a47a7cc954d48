namespace FlexyPe.Simulator.Delivery;

/// <summary>How deliveries are made: FlexyPe's rules (headers, 10 s timeout, retries after 1, 5 and 15 minutes).</summary>
public sealed record DeliveryOptions
{
    public static readonly IReadOnlyList<TimeSpan> FlexyPeRetrySchedule = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15)];

    /// <summary>The webhook URL, e.g. <c>http://127.0.0.1:5100/webhooks/flexype</c>.</summary>
    public required Uri Target { get; init; }

    /// <summary>Sent as <c>X-Flexype-Authorization</c>; never printed or written to a report.</summary>
    public required string Secret { get; init; }

    /// <summary>Multiplies the retry schedule: 0.001 turns 1, 5 and 15 minutes into 60, 300 and 900 ms.</summary>
    public double RetryScale { get; init; } = 1.0;

    /// <summary>No answer within this is a failed attempt, as at FlexyPe.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Share of acknowledged events delivered a second time with the same <c>X-Event-Id</c>.</summary>
    public double DuplicateRate { get; init; }

    /// <summary>Deliveries in flight at once (journeys in journey mode, requests in load mode).</summary>
    public int Concurrency { get; init; } = 8;

    /// <summary>Whether failed attempts are retried on the (scaled) schedule; load mode measures single attempts.</summary>
    public bool Retry { get; init; } = true;

    /// <summary>Mixed into the duplicate choice, so a seeded run duplicates the same events every time.</summary>
    public int Seed { get; init; } = 1;

    public IReadOnlyList<TimeSpan> RetrySchedule => Retry
        ? FlexyPeRetrySchedule.Select(d => TimeSpan.FromTicks((long)(d.Ticks * RetryScale))).ToList()
        : [];

    /// <summary>Whether this event is also delivered a second time: a stable choice from its id and the seed.</summary>
    public bool ShouldDuplicate(string eventId)
    {
        if (DuplicateRate <= 0)
        {
            return false;
        }
        // A cryptographic hash mixes every character into every bit: ids that differ only at their end (evt_run_1,
        // evt_run_2, …) must not all land on the same side of the rate. Stable across processes, unlike GetHashCode.
        var digest = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{Seed}:{eventId}"));
        var hash = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(digest);
        return hash / (double)uint.MaxValue < DuplicateRate;
    }
}
