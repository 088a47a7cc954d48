using System.Diagnostics.Metrics;

namespace FlexyPe.Workflows.Telemetry;

/// <summary>
/// Counts of work done in a transaction, added to their counters once it commits. Between <see cref="Hold"/> and
/// <see cref="Release"/> (after the commit) or <see cref="Drop"/> (after a rollback) a count waits here; at any other
/// time it is added at once. Event intake holds them: a hand-off batch rolled back and taken again event by event would
/// otherwise count its enrollments, cancelled steps and recoveries twice, and an event whose transaction failed would
/// count work that was never kept. Scoped: one request's transaction at a time.
/// </summary>
public sealed class CountsOnCommit
{
    private readonly List<(Counter<long> Counter, long Delta, KeyValuePair<string, object?>[] Tags)> held = [];
    private bool holding;

    public void Add(Counter<long> counter, long delta, params KeyValuePair<string, object?>[] tags)
    {
        if (holding)
        {
            held.Add((counter, delta, tags));
        }
        else
        {
            counter.Add(delta, tags);
        }
    }

    /// <summary>From now on, counts wait for <see cref="Release"/> or <see cref="Drop"/>.</summary>
    public void Hold()
    {
        held.Clear();
        holding = true;
    }

    /// <summary>The transaction committed: every count it made is added.</summary>
    public void Release()
    {
        holding = false;
        foreach (var (counter, delta, tags) in held)
        {
            counter.Add(delta, tags);
        }
        held.Clear();
    }

    /// <summary>The transaction was rolled back: nothing it counted happened.</summary>
    public void Drop()
    {
        holding = false;
        held.Clear();
    }
}
