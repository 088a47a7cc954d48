using Npgsql;
using NpgsqlTypes;

namespace FlexyPe.Ingest.Storage;

/// <summary>Keeps authenticated deliveries that could not be accepted, with the reason, for an operator to see.</summary>
public sealed class RejectedDeliveryStore(NpgsqlDataSource dataSource, TimeProvider time, ILogger<RejectedDeliveryStore> logger)
{
    /// <summary>Stores the delivery; true when it was kept, false when the database could not take it.</summary>
    public async Task<bool> KeepAsync(string reason, int statusCode, string? eventId, string? pathKind, string body, string headersJson, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = dataSource.CreateCommand("""
                INSERT INTO rejected_deliveries (received_at, reason, status_code, event_id, path_kind, body, headers)
                VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)
                """);
            command.Parameters.Add(new NpgsqlParameter { Value = time.GetUtcNow(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
            command.Parameters.Add(new NpgsqlParameter { Value = reason });
            command.Parameters.Add(new NpgsqlParameter { Value = statusCode });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)eventId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)pathKind ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            // Postgres text cannot hold NUL characters; anything else is kept as it came.
            command.Parameters.Add(new NpgsqlParameter { Value = body.Replace("\0", "\\u0000", StringComparison.Ordinal) });
            command.Parameters.Add(new NpgsqlParameter { Value = headersJson });
            await command.ExecuteNonQueryAsync(cancellationToken);
            // A pooled connection holds on to its last command and its parameters: let the body go now.
            command.Parameters.Clear();
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            logger.LogError("Could not keep a rejected delivery ({Reason}): {Error}", reason, e.GetType().Name);
            return false;
        }
    }
}
