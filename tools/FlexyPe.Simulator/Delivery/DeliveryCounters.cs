namespace FlexyPe.Simulator.Delivery;

/// <summary>Live totals for the progress display; updated from many deliveries at once.</summary>
public sealed class DeliveryCounters
{
    private long sent;
    private long acknowledged;
    private long duplicatesAcknowledged;
    private long retrying;
    private long failed;
    private long nonOk;

    /// <summary>HTTP attempts made.</summary>
    public long Sent => Interlocked.Read(ref sent);

    /// <summary>Deliveries answered 200 (first deliveries and duplicates).</summary>
    public long Acknowledged => Interlocked.Read(ref acknowledged);

    /// <summary>200 answers that said <c>"duplicate": true</c>.</summary>
    public long DuplicatesAcknowledged => Interlocked.Read(ref duplicatesAcknowledged);

    /// <summary>Deliveries waiting for their next retry now.</summary>
    public long Retrying => Interlocked.Read(ref retrying);

    /// <summary>Deliveries that used up every retry.</summary>
    public long Failed => Interlocked.Read(ref failed);

    /// <summary>Attempts answered with anything but 200, or not answered in time.</summary>
    public long FailedAttempts => Interlocked.Read(ref nonOk);

    internal void AttemptSent() => Interlocked.Increment(ref sent);
    internal void AttemptFailed() => Interlocked.Increment(ref nonOk);
    internal void DeliveryAcknowledged(bool duplicate)
    {
        Interlocked.Increment(ref acknowledged);
        if (duplicate)
        {
            Interlocked.Increment(ref duplicatesAcknowledged);
        }
    }
    internal void DeliveryFailed() => Interlocked.Increment(ref failed);
    internal void RetryWaiting(int delta) => Interlocked.Add(ref retrying, delta);
}
