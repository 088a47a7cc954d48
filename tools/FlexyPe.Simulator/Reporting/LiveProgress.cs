using System.Diagnostics;
using FlexyPe.Simulator.Delivery;
using Spectre.Console;

namespace FlexyPe.Simulator.Reporting;

/// <summary>Sent, acknowledged, retrying, failed and rate while a run goes on: a live table on a terminal, a line every few seconds otherwise.</summary>
public static class LiveProgress
{
    public static async Task<T> ShowAsync<T>(IAnsiConsole console, DeliveryCounters counters, string title, Func<Task<T>> work, bool quiet)
    {
        var clock = Stopwatch.StartNew();
        var task = work();
        if (quiet)
        {
            return await task;
        }

        if (!console.Profile.Capabilities.Interactive)
        {
            while (!task.IsCompleted)
            {
                await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(2)));
                var s = counters;
                console.WriteLine($"{clock.Elapsed.TotalSeconds,6:F1}s sent {s.Sent} acknowledged {s.Acknowledged} (duplicates {s.DuplicatesAcknowledged}) retrying {s.Retrying} failed {s.Failed} rate {s.Acknowledged / Math.Max(clock.Elapsed.TotalSeconds, 0.001):F0}/s");
            }
            return await task;
        }

        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(title));
        table.AddColumns("sent", "acknowledged", "as duplicate", "retrying", "failed", "failed attempts", "rate (ack/s)", "elapsed");
        table.AddRow(Row(counters, 0, clock.Elapsed));
        await console.Live(table).AutoClear(false).StartAsync(async context =>
        {
            long previous = 0;
            var previousAt = clock.Elapsed;
            while (!task.IsCompleted)
            {
                await Task.WhenAny(task, Task.Delay(TimeSpan.FromMilliseconds(250)));
                var now = clock.Elapsed;
                var acknowledged = counters.Acknowledged;
                var rate = (acknowledged - previous) / Math.Max((now - previousAt).TotalSeconds, 0.001);
                previous = acknowledged;
                previousAt = now;
                table.UpdateCell(0, 0, counters.Sent.ToString())
                    .UpdateCell(0, 1, acknowledged.ToString())
                    .UpdateCell(0, 2, counters.DuplicatesAcknowledged.ToString())
                    .UpdateCell(0, 3, counters.Retrying.ToString())
                    .UpdateCell(0, 4, counters.Failed.ToString())
                    .UpdateCell(0, 5, counters.FailedAttempts.ToString())
                    .UpdateCell(0, 6, rate.ToString("F0"))
                    .UpdateCell(0, 7, $"{now.TotalSeconds:F1}s");
                context.Refresh();
            }
        });
        return await task;
    }

    private static string[] Row(DeliveryCounters c, double rate, TimeSpan elapsed) =>
        [c.Sent.ToString(), c.Acknowledged.ToString(), c.DuplicatesAcknowledged.ToString(), c.Retrying.ToString(), c.Failed.ToString(),
         c.FailedAttempts.ToString(), rate.ToString("F0"), $"{elapsed.TotalSeconds:F1}s"];
}
