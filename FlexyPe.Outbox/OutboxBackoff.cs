namespace FlexyPe.Outbox;

/// <summary>The one retry schedule of every outbox and queue: doubling from a first delay up to a ceiling, for ever.</summary>
public static class OutboxBackoff
{
    /// <summary>
    /// The wait before the next attempt after <paramref name="failures"/> failed ones (1 or more): <paramref name="first"/>,
    /// then twice that, and so on, never more than <paramref name="ceiling"/>.
    /// </summary>
    public static TimeSpan After(int failures, TimeSpan first, TimeSpan ceiling)
    {
        // 2^30 times any sensible first delay is past any sensible ceiling; the cap keeps the arithmetic finite.
        var doublings = Math.Clamp(failures - 1, 0, 30);
        var delay = first.TotalMilliseconds * Math.Pow(2, doublings);
        return delay >= ceiling.TotalMilliseconds ? ceiling : TimeSpan.FromMilliseconds(delay);
    }
}
