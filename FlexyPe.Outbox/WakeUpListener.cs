using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace FlexyPe.Outbox;

/// <summary>
/// Holds one connection that <c>LISTEN</c>s on every <see cref="WakeUp"/>'s channel and wakes it when a commit anywhere
/// announces new rows (Postgres delivers a <c>NOTIFY</c> only once its transaction commits, the moment the rows can be
/// seen). Waiting on the connection costs nothing; when it breaks, everything is woken once it is back, since
/// announcements made meanwhile are lost.
/// </summary>
public sealed class WakeUpListener(
    OutboxDatabase database,
    IEnumerable<WakeUp> wakeUps,
    TimeProvider time,
    ILogger<WakeUpListener> logger) : BackgroundService
{
    private static readonly TimeSpan FirstReconnectDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxReconnectDelay = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var byChannel = wakeUps.GroupBy(w => w.Channel).ToDictionary(g => g.Key, g => g.ToList());
        if (byChannel.Count == 0)
        {
            return;
        }
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await database.DataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) =>
                {
                    foreach (var wakeUp in byChannel.GetValueOrDefault(e.Channel) ?? [])
                    {
                        wakeUp.Notify();
                    }
                };
                await using (var listen = connection.CreateCommand())
                {
                    listen.CommandText = string.Concat(byChannel.Keys.Select(channel => $"LISTEN \"{channel}\";"));
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                if (failures > 0)
                {
                    logger.LogInformation("Listening for wake-ups again after {Failures} failed attempt(s)", failures);
                }
                failures = 0;
                // Whatever was announced while nobody listened is looked for now.
                foreach (var wakeUp in byChannel.Values.SelectMany(w => w))
                {
                    wakeUp.Notify();
                }
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException or System.IO.IOException)
            {
                failures++;
                // Until it is back the workers still sweep on their own, so a lost connection slows wake-ups, never work.
                if (failures == 1 || failures % 20 == 0)
                {
                    logger.LogWarning("Not listening for wake-ups ({Error}); retrying", e.GetType().Name);
                }
                await Task.Delay(OutboxBackoff.After(failures, FirstReconnectDelay, MaxReconnectDelay), time, stoppingToken)
                    .ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }
}
