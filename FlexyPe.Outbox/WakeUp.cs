using System.Threading.Channels;

namespace FlexyPe.Outbox;

/// <summary>
/// Wakes a sleeping worker when there is new work, instead of it polling. Named after a Postgres channel: a commit
/// in any process that writes the table (its trigger sends <c>NOTIFY</c>) wakes it through <see cref="WakeUpListener"/>;
/// <see cref="Notify"/> wakes it from this process. Wake-ups that come while the worker is busy fold into one.
/// </summary>
public sealed class WakeUp(string channel)
{
    private readonly System.Threading.Channels.Channel<bool> signal = System.Threading.Channels.Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
    });

    /// <summary>The Postgres channel, the name of the table whose changes it announces.</summary>
    public string Channel { get; } = channel;

    public void Notify() => signal.Writer.TryWrite(true);

    /// <summary>Waits for a wake-up or for <paramref name="timeout"/>; true when woken.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        // No wait at all leaves a pending wake-up for whoever waits next (a sibling worker woken to join a burst).
        if (timeout <= TimeSpan.Zero)
        {
            return false;
        }
        if (signal.Reader.TryRead(out _))
        {
            return true;
        }
        // The timeout is the token source's own timer, not one that calls Cancel: a timer's callback can already be on
        // its way when the wake-up ends the wait, and Cancel on the source this method has disposed by then threw on a
        // pool thread, which ended the process. A source's own timer firing after its disposal does nothing.
        using var timeoutSource = new CancellationTokenSource(timeout, time);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        try
        {
            await signal.Reader.ReadAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
