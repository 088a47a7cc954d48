using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FlexyPe.Outbox;

/// <summary>
/// Delivers a service's outbox rows through its <see cref="IOutboxSender"/>. It sleeps until a commit announces new
/// rows (<see cref="WakeUp"/>), until the next retry is due, or for the sweep interval at most; then claims due rows
/// with <c>FOR UPDATE SKIP LOCKED</c> (replicas share the work, none sends a row another holds), sends them in batches,
/// several at once (the rows of one ordering key in one batch: <see cref="OutboxBatches"/>), and records each row's
/// outcome. A row that fails is retried with <see cref="OutboxBackoff"/> for as long as it takes; receivers dedupe, so
/// a row sent twice (a crash between the receiver's answer and our commit) has one effect. Each attempt is a span in
/// the trace the row was written in.
/// </summary>
public sealed class OutboxRelay(
    OutboxDatabase database,
    IServiceScopeFactory scopes,
    [FromKeyedServices(OutboxModel.Table)] WakeUp wakeUp,
    IOptions<OutboxOptions> options,
    OutboxTelemetry telemetry,
    TimeProvider time,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    /// <summary>The shortest sleep: the next retry may be "due" by a clock a little behind the database's.</summary>
    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(50);

    private readonly OutboxOptions settings = options.Value;

    private sealed record Round(int Claimed, DateTimeOffset? NextDue);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
        => wakeUp.RunAsync(async token =>
        {
            var round = await RelayDueAsync(token);
            // A full batch: more may be due already.
            return round.Claimed == settings.BatchSize ? TimeSpan.Zero : Until(round.NextDue);
        }, settings.SweepInterval, "Outbox relay", time, logger, stoppingToken);

    private TimeSpan Until(DateTimeOffset? nextDue)
    {
        if (nextDue is not { } due)
        {
            return settings.SweepInterval;
        }
        var wait = due - time.GetUtcNow();
        return wait < MinimumWait ? MinimumWait : wait > settings.SweepInterval ? settings.SweepInterval : wait;
    }

    private async Task<Round> RelayDueAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var rows = new List<OutboxMessage>();
        DateTimeOffset? nextDue;
        // One round trip: the due rows, and when the next row not yet due will be.
        await using (var claim = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                // The rows are chosen and locked by id first, then read by primary key. Selected in one step, every
                // due row's payload was read before the sort whenever the planner sorted (it does while statistics
                // still describe an empty table): a claim of 100 under 10,000 waiting read and sorted 180 MB, 450 ms
                // (bench/outbox_claim.sh). As a join, the planner may read the whole table, delivered rows included.
                new NpgsqlBatchCommand($"""
                    SELECT id, key, payload::text, trace_parent, attempts, ordering_key FROM {OutboxModel.Table}
                    WHERE id = ANY (ARRAY(
                        SELECT id FROM {OutboxModel.Table}
                        WHERE delivered_at IS NULL AND next_attempt_at <= now()
                        ORDER BY next_attempt_at, id
                        LIMIT $1
                        FOR UPDATE SKIP LOCKED))
                    ORDER BY next_attempt_at, id
                    """) { Parameters = { new NpgsqlParameter { Value = settings.BatchSize } } },
                new NpgsqlBatchCommand($"SELECT min(next_attempt_at) FROM {OutboxModel.Table} WHERE delivered_at IS NULL AND next_attempt_at > now()"),
            },
        })
        {
            await using var reader = await claim.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(new OutboxMessage
                {
                    Id = reader.GetInt64(0),
                    Key = reader.GetString(1),
                    Payload = reader.IsDBNull(2) ? null : reader.GetString(2),
                    TraceParent = reader.IsDBNull(3) ? null : reader.GetString(3),
                    Attempts = reader.GetInt32(4),
                    OrderingKey = reader.IsDBNull(5) ? null : reader.GetString(5),
                });
            }
            await reader.NextResultAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            nextDue = reader.IsDBNull(0) ? null : reader.GetFieldValue<DateTimeOffset>(0);
        }

        telemetry.Polls.Count(found: rows.Count > 0);
        if (rows.Count == 0)
        {
            await transaction.CommitAsync(cancellationToken);
            return new Round(0, nextDue);
        }

        var outcomes = new OutboxOutcome[rows.Count];
        var chunks = OutboxBatches.Split([.. rows.Select(r => r.OrderingKey)], settings.SendBatchSize);
        await Parallel.ForEachAsync(chunks,
            new ParallelOptions { MaxDegreeOfParallelism = settings.Concurrency, CancellationToken = cancellationToken },
            async (chunk, token) =>
            {
                var sent = await SendAsync([.. chunk.Select(i => rows[i])], token);
                for (var j = 0; j < chunk.Count; j++)
                {
                    outcomes[chunk[j]] = sent[j];
                }
            });

        var delivered = rows.Where((_, i) => outcomes[i].IsDelivered).Select(r => r.Id).ToArray();
        var refused = rows.Select((row, i) => (Row: row, outcomes[i].Error, outcomes[i].IsRefused))
            .Where(r => r.IsRefused).Select(r => (r.Row, Error: r.Error!)).ToList();
        var failed = rows.Select((row, i) => (Row: row, outcomes[i].Error, outcomes[i].IsRefused))
            .Where(f => f.Error is not null && !f.IsRefused)
            .Select(f => (f.Row, Error: f.Error!, Delay: OutboxBackoff.After(f.Row.Attempts + 1, settings.FirstRetryDelay, settings.MaxRetryDelay)))
            .ToList();
        await using (var record = new NpgsqlBatch(connection, transaction))
        {
            if (delivered.Length > 0)
            {
                record.BatchCommands.Add(new NpgsqlBatchCommand(
                    $"UPDATE {OutboxModel.Table} SET delivered_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = ANY($1)")
                {
                    Parameters = { new NpgsqlParameter { Value = delivered } },
                });
            }
            if (refused.Count > 0)
            {
                // Settled, not delivered: the reason stays on the row ("refused: …") for an operator.
                record.BatchCommands.Add(new NpgsqlBatchCommand($"""
                    UPDATE {OutboxModel.Table} AS o SET delivered_at = now(), attempts = o.attempts + 1, last_error = 'refused: ' || f.error
                    FROM unnest($1::bigint[], $2::text[]) AS f(id, error)
                    WHERE o.id = f.id
                    """)
                {
                    Parameters =
                    {
                        new NpgsqlParameter { Value = refused.Select(r => r.Row.Id).ToArray() },
                        new NpgsqlParameter { Value = refused.Select(r => r.Error).ToArray() },
                    },
                });
            }
            if (failed.Count > 0)
            {
                record.BatchCommands.Add(new NpgsqlBatchCommand($"""
                    UPDATE {OutboxModel.Table} AS o SET attempts = o.attempts + 1, next_attempt_at = now() + f.delay, last_error = f.error
                    FROM unnest($1::bigint[], $2::interval[], $3::text[]) AS f(id, delay, error)
                    WHERE o.id = f.id
                    """)
                {
                    Parameters =
                    {
                        new NpgsqlParameter { Value = failed.Select(f => f.Row.Id).ToArray() },
                        new NpgsqlParameter { Value = failed.Select(f => f.Delay).ToArray() },
                        new NpgsqlParameter { Value = failed.Select(f => f.Error).ToArray() },
                    },
                });
            }
            await record.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);

        telemetry.Delivered.Add(delivered.Length);
        foreach (var (row, error) in refused)
        {
            logger.LogWarning("Outbox row {OutboxId} refused by its receiver ({Reason}); settled, not tried again", row.Id, error);
        }
        if (refused.Count > 0)
        {
            telemetry.FailedAttempts.Add(refused.Count);
        }
        if (failed.Count > 0)
        {
            telemetry.FailedAttempts.Add(failed.Count);
            var retry = time.GetUtcNow() + failed.Min(f => f.Delay);
            nextDue = nextDue is { } due && due < retry ? due : retry;
        }
        return new Round(rows.Count, nextDue);
    }

    /// <summary>Sends one batch, each row's attempt a span that continues the row's stored trace.</summary>
    private async Task<OutboxOutcome[]> SendAsync(IReadOnlyList<OutboxMessage> batch, CancellationToken cancellationToken)
    {
        var outer = Activity.Current;
        var spans = new Activity?[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            ActivityContext.TryParse(batch[i].TraceParent, null, out var writtenIn);
            spans[i] = OutboxTelemetry.Source.StartActivity("outbox send", ActivityKind.Producer, writtenIn);
            spans[i]?.SetTag("flexype.outbox.id", batch[i].Id);
            spans[i]?.SetTag("flexype.outbox.key", batch[i].Key);
            spans[i]?.SetTag("flexype.outbox.attempt", batch[i].Attempts + 1);
            Activity.Current = outer;
        }

        OutboxOutcome[] outcomes;
        try
        {
            // One row: its span is the current one, so the sender's HTTP call is its child and carries its context.
            Activity.Current = batch.Count == 1 ? spans[0] ?? outer : outer;
            await using var scope = scopes.CreateAsyncScope();
            var sender = scope.ServiceProvider.GetRequiredService<IOutboxSender>();
            var answers = await sender.SendAsync([.. batch.Select((row, i) => new OutboxDelivery(row, spans[i]?.Id ?? row.TraceParent))], cancellationToken);
            outcomes = [.. batch.Select((_, i) => i < answers.Count ? answers[i] : OutboxOutcome.Failed("no outcome for this row"))];
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Unreachable, timed out, circuit open, an answer that cannot be read: none was taken for certain.
            var cause = e.GetBaseException();
            var reason = cause == e ? $"{e.GetType().Name}: {e.Message}" : $"{e.GetType().Name}: {e.Message} ({cause.GetType().Name}: {cause.Message})";
            outcomes = [.. batch.Select(_ => OutboxOutcome.Failed(reason))];
        }
        finally
        {
            Activity.Current = outer;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            if (outcomes[i].Error is { } error)
            {
                spans[i]?.SetStatus(ActivityStatusCode.Error, error);
                var attempt = batch[i].Attempts + 1;
                // The first failure and every tenth: enough to see a receiver is down without a line per retry.
                if (attempt == 1 || attempt % 10 == 0)
                {
                    logger.LogWarning("Outbox row {OutboxId} ({Key}) not delivered (attempt {Attempt}): {Error}", batch[i].Id, batch[i].Key, attempt, error);
                }
            }
            spans[i]?.Dispose();
        }
        return outcomes;
    }
}
