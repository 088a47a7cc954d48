using System.Diagnostics;
using FlexyPe.Simulator.Generation;

namespace FlexyPe.Simulator.Delivery;

/// <summary>What a load run measured, besides the per-event records.</summary>
public sealed record LoadMeasurement(
    double TargetRate,
    double AchievedRate,
    double DurationSeconds,
    long Requests,
    long Ok,
    long NotOk,
    Percentiles LatencyFromScheduleMs,
    Percentiles ServiceLatencyMs);

public sealed record Percentiles(double P50, double P90, double P99, double P999, double Max)
{
    public static Percentiles Of(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return new Percentiles(0, 0, 0, 0, 0);
        }
        var sorted = values.Order().ToArray();
        double At(double q) => Math.Round(sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)], 3);
        return new Percentiles(At(0.50), At(0.90), At(0.99), At(0.999), Math.Round(sorted[^1], 3));
    }
}

/// <summary>
/// Load mode: an open-loop stream at a target rate for a fixed time, with at most <c>Concurrency</c> requests in
/// flight. Latency is measured from when each request was due, so a server that falls behind is charged for the
/// queue it causes (no coordinated omission). One attempt per request: retries would add load the rate does not name.
/// </summary>
public static class LoadRunner
{
    /// <summary>The requests of a run: events in journey order, each chosen duplicate again about 100 requests later.</summary>
    public static List<SimulatedEvent> Stream(JourneyGenerator generator, DeliveryOptions options, long count)
    {
        var stream = new List<SimulatedEvent>((int)Math.Min(count, int.MaxValue));
        var later = new Queue<(long Due, SimulatedEvent Event)>();
        while (stream.Count < count)
        {
            foreach (var e in generator.Next().Events)
            {
                while (later.Count > 0 && later.Peek().Due <= stream.Count && stream.Count < count)
                {
                    stream.Add(later.Dequeue().Event);
                }
                if (stream.Count >= count)
                {
                    break;
                }
                stream.Add(e);
                if (options.ShouldDuplicate(e.EventId))
                {
                    later.Enqueue((stream.Count + 100, e));
                }
            }
        }
        return stream;
    }

    public static async Task<(List<EventRecord> Events, LoadMeasurement Measurement)> RunAsync(
        IReadOnlyList<SimulatedEvent> stream, WebhookSender sender, double rate, CancellationToken cancellationToken)
    {
        var attempts = new AttemptRecord[stream.Count];
        var fromSchedule = new double[stream.Count];
        using var slots = new SemaphoreSlim(Math.Max(1, sender.Options.Concurrency));
        var tasks = new List<Task>(stream.Count);
        var clock = Stopwatch.StartNew();

        for (var i = 0; i < stream.Count; i++)
        {
            var due = TimeSpan.FromSeconds(i / rate);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, cancellationToken);
            }
            await slots.WaitAsync(cancellationToken);
            var index = i;
            tasks.Add(Task.Run(async () =>
            {
                try
                {
                    var attempt = await sender.AttemptAsync(stream[index], cancellationToken);
                    attempts[index] = attempt with { Number = 1 };
                    fromSchedule[index] = (clock.Elapsed - due).TotalMilliseconds;
                    if (attempt.Status == 200)
                    {
                        sender.Counters.DeliveryAcknowledged(attempt.AcknowledgedAsDuplicate == true);
                    }
                    else
                    {
                        sender.Counters.DeliveryFailed();
                    }
                }
                finally
                {
                    slots.Release();
                }
            }, cancellationToken));
        }
        await Task.WhenAll(tasks);
        var elapsed = clock.Elapsed.TotalSeconds;

        // One record per event; a duplicate's attempt is attached to its first delivery.
        var records = new List<EventRecord>();
        var byId = new Dictionary<string, EventRecord>();
        for (var i = 0; i < stream.Count; i++)
        {
            var delivery = new DeliveryRecord();
            delivery.Attempts.Add(attempts[i]);
            delivery.Status = attempts[i].Status == 200 ? DeliveryRecord.Acknowledged : DeliveryRecord.Failed;
            delivery.AcknowledgedAsDuplicate = attempts[i].AcknowledgedAsDuplicate;
            if (byId.TryGetValue(stream[i].EventId, out var first))
            {
                first.Duplicates.Add(delivery);
            }
            else
            {
                var record = EventRecord.For(stream[i], delivery);
                byId[record.EventId] = record;
                records.Add(record);
            }
        }

        var ok = attempts.LongCount(a => a.Status == 200);
        var measurement = new LoadMeasurement(
            rate,
            Math.Round(stream.Count / elapsed, 1),
            Math.Round(elapsed, 3),
            stream.Count,
            ok,
            stream.Count - ok,
            Percentiles.Of(fromSchedule),
            Percentiles.Of(attempts.Select(a => a.LatencyMs).ToList()));
        return (records, measurement);
    }
}
