using FlexyPe.Simulator.Generation;

namespace FlexyPe.Simulator.Delivery;

/// <summary>
/// Journey mode: journeys run side by side (up to the concurrency), each one's deliveries in order, so a checkout's
/// ACR updates arrive in the order its shopper made them. Acknowledged events are sent again at the duplicate rate.
/// </summary>
public static class JourneyRunner
{
    public static async Task<List<EventRecord>> RunAsync(IReadOnlyList<Journey> journeys, WebhookSender sender, CancellationToken cancellationToken)
    {
        var results = new EventRecord[journeys.Sum(j => j.Events.Count)];
        var offsets = new int[journeys.Count];
        for (var i = 1; i < journeys.Count; i++)
        {
            offsets[i] = offsets[i - 1] + journeys[i - 1].Events.Count;
        }

        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, sender.Options.Concurrency), CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, journeys.Count), parallel, async (j, ct) =>
        {
            var journey = journeys[j];
            for (var k = 0; k < journey.Events.Count; k++)
            {
                var e = journey.Events[k];
                var record = EventRecord.For(e, await sender.DeliverAsync(e, ct));
                if (record.FinalStatus == DeliveryRecord.Acknowledged && sender.Options.ShouldDuplicate(e.EventId))
                {
                    record.Duplicates.Add(await sender.DeliverAsync(e, ct));
                }
                results[offsets[j] + k] = record;
            }
        });
        return [.. results];
    }
}
