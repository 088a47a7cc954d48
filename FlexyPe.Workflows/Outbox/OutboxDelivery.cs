using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using FlexyPe.Workflows.Infrastructure;
using FlexyPe.Workflows.Model;
using FlexyPe.Workflows.Telemetry;
using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Workflows.Outbox;

/// <summary>POSTs outbox rows to Notifier's <c>/api/message-requests</c>; a failure leaves the row for a later attempt with backoff.</summary>
public sealed class OutboxDelivery(
    WorkflowsDbContext db,
    WorkflowClock clock,
    IHttpClientFactory httpClients,
    WorkflowsTelemetry telemetry,
    ILogger<OutboxDelivery> logger)
{
    public const string HttpClientName = "notifier";
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);

    /// <summary>Delivers one row if it is still pending and no one else holds it.</summary>
    public async Task DeliverAsync(Guid id, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var row = await db.Outbox
            .FromSql($"SELECT * FROM outbox WHERE id = {id} AND delivered_at IS NULL FOR UPDATE SKIP LOCKED")
            .FirstOrDefaultAsync(ct);
        if (row is not null)
        {
            await SendAsync(row, ct);
            await db.SaveChangesAsync(ct);
        }
        await transaction.CommitAsync(ct);
    }

    /// <summary>Delivers the pending rows whose next attempt is due.</summary>
    public async Task SweepAsync(CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var rows = await db.Outbox
            .FromSql($"""
                SELECT * FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= {clock.Now}
                ORDER BY next_attempt_at LIMIT 20 FOR UPDATE SKIP LOCKED
                """)
            .ToListAsync(ct);
        foreach (var row in rows)
        {
            await SendAsync(row, ct);
        }
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }

    private async Task SendAsync(OutboxMessage row, CancellationToken ct)
    {
        // Continue the trace of the step that wrote the row.
        ActivityContext.TryParse(row.TraceParent, null, out var parent);
        using var activity = WorkflowsTelemetry.Source.StartActivity("workflows.outbox.deliver", ActivityKind.Producer, parent);
        activity?.SetTag("flexype.outbox.attempt", row.Attempts + 1);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/message-requests")
            {
                Content = new StringContent(row.Payload, Encoding.UTF8, "application/json"),
            };
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, ct);
            if (response.IsSuccessStatusCode)
            {
                row.DeliveredAt = clock.Now;
                row.LastError = null;
                telemetry.OutboxDelivered.Add(1);
                return;
            }
            Failed(row, $"HTTP {(int)response.StatusCode}");
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or TimeoutException
            or Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException)
        {
            Failed(row, exception.GetType().Name);
        }
        activity?.SetStatus(ActivityStatusCode.Error, row.LastError);
    }

    private void Failed(OutboxMessage row, string error)
    {
        row.Attempts++;
        row.LastError = error;
        var backoff = TimeSpan.FromSeconds(Math.Pow(2, Math.Min(row.Attempts, 10)));
        row.NextAttemptAt = clock.Now + (backoff < MaxBackoff ? backoff : MaxBackoff);
        telemetry.OutboxFailed.Add(1);
        logger.LogWarning("Message request {OutboxId} not delivered to Notifier ({Error}, attempt {Attempts}); retrying at {NextAttemptAt}",
            row.Id, error, row.Attempts, row.NextAttemptAt);
    }
}
