using Microsoft.Extensions.Logging;
using Npgsql;

namespace FlexyPe.Outbox;

/// <summary>The one loop of every worker that sleeps until woken or due: the outbox relay, the due-step poller.</summary>
public static class WakeUpLoop
{
    /// <summary>
    /// Runs <paramref name="round"/> (which does what is due and returns how long to sleep) until the service stops,
    /// sleeping on <paramref name="wakeUp"/> in between. A round that fails never ends the loop, or the work after it
    /// would be stranded: it sleeps <paramref name="afterFailure"/> (a lost database also cost the wake-up listener its
    /// connection, and the listener wakes everything once it is back).
    /// </summary>
    public static async Task RunAsync(
        this WakeUp wakeUp, Func<CancellationToken, Task<TimeSpan>> round, TimeSpan afterFailure, string what,
        TimeProvider time, ILogger logger, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                wait = await round(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                logger.LogWarning("{Work}: the database cannot be reached ({Error}); retrying", what, e.GetType().Name);
                wait = afterFailure;
            }
            catch (Exception e)
            {
                logger.LogError(e, "{Work} failed; retrying", what);
                wait = afterFailure;
            }
            try
            {
                await wakeUp.WaitAsync(wait, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
