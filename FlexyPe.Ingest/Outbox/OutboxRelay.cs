using System.Diagnostics;
using FlexyPe.Ingest.Storage;
using FlexyPe.Ingest.Telemetry;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FlexyPe.Ingest.Outbox;

/// <summary>
/// Delivers outbox rows to Workflows: woken by each commit, and every sweep interval for rows left behind (Workflows
/// down, Ingest restarted). Rows are claimed with <c>FOR UPDATE SKIP LOCKED</c>, so replicas share the work; a failed
/// row is retried with backoff for as long as it takes. Workflows dedupes on the event id, so a row delivered twice
/// (a crash between its 2xx and our commit) has one effect.
/// </summary>
public sealed class OutboxRelay(
    NpgsqlDataSource dataSource,
    WorkflowsClient workflows,
    OutboxSignal signal,
    IOptions<IngestOptions> options,
    IngestTelemetry telemetry,
    TimeProvider time,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    private const int BatchSize = 100;
    /// <summary>Events per request to Workflows, which takes them one after another.</summary>
    private const int ChunkSize = 25;
    /// <summary>Requests in flight at once.</summary>
    private const int Concurrency = 4;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(1);

    private sealed record Row(long Id, string StoreId, string EventId, string Payload, string? TraceParent, int Attempts);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Keep going while there is a full batch; otherwise wait to be woken or for the next sweep.
                if (await RelayBatchAsync(stoppingToken) < BatchSize)
                {
                    await signal.WaitAsync(options.Value.OutboxSweepInterval, stoppingToken);
                }
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                logger.LogWarning("Outbox relay cannot reach ingestdb: {Error}", e.GetType().Name);
                await Task.Delay(options.Value.OutboxSweepInterval, time, stoppingToken);
            }
        }
    }

    private async Task<int> RelayBatchAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var rows = new List<Row>();
        await using (var claim = new NpgsqlCommand("""
            SELECT id, store_id, event_id, payload::text, trace_parent, attempts FROM outbox_messages
            WHERE delivered_at IS NULL AND next_attempt_at <= now()
            ORDER BY next_attempt_at, id
            LIMIT $1
            FOR UPDATE SKIP LOCKED
            """, connection, transaction))
        {
            claim.Parameters.Add(new NpgsqlParameter { Value = BatchSize });
            await using var reader = await claim.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(new Row(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetInt32(5)));
            }
        }

        if (rows.Count == 0)
        {
            return 0;
        }

        // In requests of a few events each, several at once; each row's outcome is recorded on its own.
        var outcomes = new (Row Row, string? Error)[rows.Count];
        var chunks = Enumerable.Range(0, rows.Count).Chunk(ChunkSize).ToList();
        await Parallel.ForEachAsync(chunks,
            new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken },
            async (chunk, token) =>
            {
                var errors = await DeliverAsync([.. chunk.Select(i => rows[i])], token);
                for (var j = 0; j < chunk.Length; j++)
                {
                    outcomes[chunk[j]] = (rows[chunk[j]], errors[j]);
                }
            });
        var delivered = outcomes.Where(o => o.Error is null).Select(o => o.Row.Id).ToList();
        var failed = outcomes.Where(o => o.Error is not null).Select(o => (o.Row, Error: o.Error!)).ToList();

        await using (var markDelivered = new NpgsqlCommand(
            "UPDATE outbox_messages SET delivered_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = ANY($1)",
            connection, transaction))
        {
            markDelivered.Parameters.Add(new NpgsqlParameter { Value = delivered.ToArray() });
            await markDelivered.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var (row, error) in failed)
        {
            await using var reschedule = new NpgsqlCommand(
                "UPDATE outbox_messages SET attempts = attempts + 1, next_attempt_at = now() + $2, last_error = $3 WHERE id = $1",
                connection, transaction);
            reschedule.Parameters.Add(new NpgsqlParameter { Value = row.Id });
            reschedule.Parameters.Add(new NpgsqlParameter { Value = Backoff(row.Attempts) });
            reschedule.Parameters.Add(new NpgsqlParameter { Value = error });
            await reschedule.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        telemetry.OutboxDelivered.Add(delivered.Count);
        if (failed.Count > 0)
        {
            telemetry.OutboxFailures.Add(failed.Count);
        }
        return rows.Count;
    }

    private async Task<string?[]> DeliverAsync(IReadOnlyList<Row> chunk, CancellationToken cancellationToken)
    {
        // One span for the request, linked to the trace of each webhook it carries; each event goes on in its own
        // trace on the Workflows side (its stored traceparent travels with it).
        var links = chunk.Select(row => ActivityContext.TryParse(row.TraceParent, null, out var context) ? new ActivityLink(context) : default)
            .Where(link => link.Context != default);
        using var activity = IngestTelemetry.ActivitySource.StartActivity("Hand events to Workflows", ActivityKind.Producer,
            parentContext: default, links: links);
        activity?.SetTag("flexype.batch.size", chunk.Count);

        string?[] errors;
        try
        {
            errors = await workflows.DeliverAsync([.. chunk.Select(row => new HandOff(row.EventId, row.Payload, row.TraceParent))], cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException
            or Polly.CircuitBreaker.BrokenCircuitException or Polly.Timeout.TimeoutRejectedException)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            errors = [.. chunk.Select(_ => $"{e.GetType().Name}: {e.Message}")];
        }
        for (var i = 0; i < chunk.Count; i++)
        {
            if (errors[i] is { } error)
            {
                logger.LogInformation("Event {EventId} of {Store} not handed to Workflows yet (attempt {Attempt}): {Error}",
                    chunk[i].EventId, chunk[i].StoreId, chunk[i].Attempts + 1, error);
            }
        }
        return errors;
    }

    private static TimeSpan Backoff(int attempts) =>
        TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, 250 * Math.Pow(2, Math.Min(attempts, 16))));
}
