using System.Diagnostics;
using System.Net.Http.Headers;
using FlexyPe.Notifier.Infrastructure;
using FlexyPe.Notifier.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FlexyPe.Notifier.DeliveryEvents;

/// <summary>
/// Posts outbox rows to Workflows (<c>POST /internal/delivery-events</c>) until Workflows accepts each one. A row
/// stays pending, with a growing delay, for as long as Workflows is down or does not accept it; Workflows dedupes on
/// the event id, so a row posted twice (a crash before the commit) does no harm.
/// </summary>
public sealed class DeliveryEventRelay(
    IServiceScopeFactory scopes,
    IHttpClientFactory httpClients,
    IOptions<NotifierOptions> options,
    TimeProvider time,
    ILogger<DeliveryEventRelay> logger) : BackgroundService
{
    public const string HttpClientName = "workflows";
    private const int BatchSize = 50;

    private readonly DeliveryEventOptions settings = options.Value.DeliveryEvents;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RelayDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Delivery event relay failed; retrying");
            }

            try
            {
                await Task.Delay(settings.PollInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task RelayDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotifierDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        var now = time.GetUtcNow();
        var due = await db.OutboxMessages.FromSql($"""
            SELECT * FROM outbox_messages
            WHERE delivered_at IS NULL AND next_attempt_at <= {now}
            ORDER BY next_attempt_at
            LIMIT {BatchSize}
            FOR UPDATE SKIP LOCKED
            """).ToListAsync(cancellationToken);
        if (due.Count == 0)
        {
            return;
        }

        using var http = httpClients.CreateClient(HttpClientName);
        foreach (var row in due)
        {
            var error = await PostAsync(http, row, cancellationToken);
            if (error is null)
            {
                row.DeliveredAt = time.GetUtcNow();
                continue;
            }

            row.AttemptCount++;
            row.LastError = error;
            row.NextAttemptAt = time.GetUtcNow() + TimeSpan.FromTicks(Math.Min(
                settings.MaxRetryDelay.Ticks,
                settings.PollInterval.Ticks * (long)Math.Pow(2, Math.Min(row.AttemptCount, 20))));
            if (row.AttemptCount == 1 || row.AttemptCount % 10 == 0)
            {
                logger.LogWarning("Delivery event {EventId} not accepted by Workflows ({Error}); attempt {Attempt}", row.Id, error, row.AttemptCount);
            }
            // Workflows is down or refusing: the rest of the batch would fare no better; they wait for the next round.
            break;
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <returns>Null when Workflows accepted the event, else why not.</returns>
    private async Task<string?> PostAsync(HttpClient http, OutboxMessage row, CancellationToken cancellationToken)
    {
        // The stored traceparent makes this POST part of the trace of the send (or unsubscribe) it reports.
        ActivityContext.TryParse(row.TraceParent, null, out var parent);
        using var activity = NotifierTelemetry.Source.StartActivity("relay delivery event", ActivityKind.Producer, parent);
        activity?.SetTag("flexype.delivery_event.id", row.Id.ToString());
        activity?.SetTag("flexype.delivery_event.type", row.Type);

        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, settings.Endpoint)
            {
                Content = new StringContent(row.Payload, MediaTypeHeaderValue.Parse("application/json")),
            };
            using var response = await http.SendAsync(request, cancellationToken);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}";
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Unreachable, unresolvable, timed out, circuit open: all mean "not yet".
            activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            return e.GetType().Name;
        }
    }
}
