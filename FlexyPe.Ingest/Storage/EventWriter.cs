using System.Threading.Channels;
using FlexyPe.Ingest.HandOffs;
using FlexyPe.Ingest.Telemetry;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace FlexyPe.Ingest.Storage;

/// <summary>An event ready to commit: its row in <c>events</c> and the outbox row that hands it to Workflows.</summary>
public sealed record EventToStore(
    string StoreId,
    string EventId,
    string Type,
    string PayloadVersion,
    DateTimeOffset? OccurredAt,
    DateTimeOffset ReceivedAt,
    string? Email,
    string? CheckoutKey,
    string RawJson,
    string HeadersJson,
    string NormalizedJson,
    string? TraceParent);

public enum StoreOutcome
{
    Stored,
    Duplicate,
}

/// <summary>
/// Commits events with group commit: concurrent deliveries queue here, and one writer stores everything queued in a
/// single statement (event rows and their outbox rows together, <c>ON CONFLICT DO NOTHING</c> on the store + event
/// id). A caller's task completes only after that commit, so a 200 always means durable. An outbox row's ordering key
/// is its shopper (store and email, else store and checkout; hashed, so the row holds no address): the relay sends one
/// shopper's hand-offs in one batch, and Workflows' concurrent batches do not wait on each other's shopper locks.
/// </summary>
public sealed class EventWriter(
    NpgsqlDataSource dataSource,
    IOptions<IngestOptions> options,
    IngestTelemetry telemetry,
    ILogger<EventWriter> logger) : BackgroundService
{
    private sealed record Pending(EventToStore Event, TaskCompletionSource<StoreOutcome> Completion);

    private readonly Channel<Pending> queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(50_000)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    /// <summary>Completes once the event is committed (or found already stored); throws when the commit failed.</summary>
    public async Task<StoreOutcome> StoreAsync(EventToStore @event, CancellationToken cancellationToken)
    {
        var pending = new Pending(@event, new TaskCompletionSource<StoreOutcome>(TaskCreationOptions.RunContinuationsAsynchronously));
        await queue.Writer.WriteAsync(pending, cancellationToken);
        return await pending.Completion.Task.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(options.Value.MaxBatchSize);
        while (await queue.Reader.WaitToReadAsync(stoppingToken))
        {
            batch.Clear();
            while (batch.Count < options.Value.MaxBatchSize && queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            try
            {
                // The commit itself wakes the outbox relay (the outbox table's trigger announces it).
                await CommitAsync(batch, stoppingToken);
            }
            catch (PostgresException e) when (batch.Count > 1 && IsAboutTheData(e))
            {
                // One delivery Postgres will not take must not fail the others queued with it: commit them one by one.
                await CommitOneByOneAsync(batch, stoppingToken);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                logger.LogWarning("Could not commit {Count} events: {Error}", batch.Count, e.GetType().Name + ": " + e.Message);
                // Idle pooled connections are likely as dead as the one that failed (Postgres restarted): drop them.
                dataSource.Clear();
                foreach (var pending in batch)
                {
                    pending.Completion.TrySetException(e);
                }
            }
        }
    }

    private async Task CommitOneByOneAsync(List<Pending> batch, CancellationToken cancellationToken)
    {
        foreach (var pending in batch)
        {
            try
            {
                await CommitAsync([pending], cancellationToken);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                pending.Completion.TrySetException(e);
            }
        }
    }

    /// <summary>
    /// A data or integrity error, or a value past a limit such as an index row's size (SQLSTATE classes 22, 23 and 54):
    /// this content, not the server, is the problem.
    /// </summary>
    public static bool IsAboutTheData(PostgresException e) => e.SqlState.StartsWith("22", StringComparison.Ordinal)
        || e.SqlState.StartsWith("23", StringComparison.Ordinal) || e.SqlState.StartsWith("54", StringComparison.Ordinal);

    private async Task CommitAsync(List<Pending> batch, CancellationToken cancellationToken)
    {
        telemetry.BatchSize.Record(batch.Count);

        // One row per key: the same event id twice in one batch (two concurrent deliveries) is one event.
        var firsts = batch.GroupBy(p => (p.Event.StoreId, p.Event.EventId)).Select(g => g.First().Event).ToList();

        const string sql = """
            WITH incoming AS (
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[],
                                     $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[])
                    AS x(store_id, event_id, type, payload_version, occurred_at, received_at,
                         email, checkout_key, raw, headers, normalized, trace_parent, hand_off_key)
            ),
            inserted AS (
                INSERT INTO events (store_id, event_id, type, payload_version, occurred_at, received_at,
                                    email, checkout_key, raw, headers, normalized)
                SELECT store_id, event_id, type, payload_version, occurred_at, received_at,
                       email, checkout_key, raw, headers, normalized
                FROM incoming
                ON CONFLICT (store_id, event_id) DO NOTHING
                RETURNING store_id, event_id
            ),
            outbox AS (
                INSERT INTO outbox_messages (key, trace_parent, ordering_key)
                SELECT x.hand_off_key, x.trace_parent, md5(x.store_id || ':' || coalesce(x.email, x.checkout_key))
                FROM inserted i JOIN incoming x ON x.store_id = i.store_id AND x.event_id = i.event_id
            )
            SELECT store_id, event_id FROM inserted
            """;

        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(Array(firsts.Select(e => e.StoreId)));
        command.Parameters.Add(Array(firsts.Select(e => e.EventId)));
        command.Parameters.Add(Array(firsts.Select(e => e.Type)));
        command.Parameters.Add(Array(firsts.Select(e => e.PayloadVersion)));
        command.Parameters.Add(new NpgsqlParameter { Value = firsts.Select(e => e.OccurredAt?.ToUniversalTime()).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = firsts.Select(e => e.ReceivedAt.ToUniversalTime()).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        command.Parameters.Add(Array(firsts.Select(e => e.Email)));
        command.Parameters.Add(Array(firsts.Select(e => e.CheckoutKey)));
        command.Parameters.Add(Array(firsts.Select(e => e.RawJson)));
        command.Parameters.Add(Array(firsts.Select(e => e.HeadersJson)));
        command.Parameters.Add(Array(firsts.Select(e => e.NormalizedJson)));
        command.Parameters.Add(Array(firsts.Select(e => e.TraceParent)));
        command.Parameters.Add(Array(firsts.Select(e => HandOffKey.Of(e.StoreId, e.EventId))));

        var stored = new HashSet<(string, string)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                stored.Add((reader.GetString(0), reader.GetString(1)));
            }
        }
        // A pooled connection holds on to its last command, and with it these parameters, until it runs another: up to
        // 25 bodies of up to 1 MB per idle connection. Let them go now.
        command.Parameters.Clear();

        // The first delivery of a newly stored key reports Stored; every other one is a duplicate.
        foreach (var pending in batch)
        {
            var key = (pending.Event.StoreId, pending.Event.EventId);
            pending.Completion.TrySetResult(stored.Remove(key) ? StoreOutcome.Stored : StoreOutcome.Duplicate);
        }
    }

    private static NpgsqlParameter Array(IEnumerable<string?> values) =>
        new() { Value = values.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };
}
