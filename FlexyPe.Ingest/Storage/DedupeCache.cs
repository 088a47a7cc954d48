using FlexyPe.Ingest.Telemetry;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace FlexyPe.Ingest.Storage;

/// <summary>
/// The fast path of deduplication: Redis remembers event ids already committed, so a retry is answered without a
/// database round trip. It is only a cache: a key is written after its commit, and when Redis fails Postgres decides.
/// </summary>
public sealed class DedupeCache(
    IConnectionMultiplexer redis,
    IOptions<IngestOptions> options,
    IngestTelemetry telemetry,
    ILogger<DedupeCache> logger)
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromMilliseconds(500);

    /// <summary>True when Redis knows the event was committed; false when it does not know or cannot be asked.</summary>
    public async Task<bool> IsKnownAsync(string storeId, string eventId)
    {
        try
        {
            return await redis.GetDatabase().KeyExistsAsync(Key(storeId, eventId)).WaitAsync(CallTimeout);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Failed("read", e);
            return false;
        }
    }

    /// <summary>
    /// Remembers committed events, a group commit's at once: one batch, written to Redis in one go and not waited for.
    /// Call only after their commit.
    /// </summary>
    public void Remember(IReadOnlyCollection<(string StoreId, string EventId)> events)
    {
        try
        {
            var batch = redis.GetDatabase().CreateBatch();
            foreach (var (storeId, eventId) in events)
            {
                _ = batch.StringSetAsync(Key(storeId, eventId), "1", options.Value.DedupeTtl, flags: CommandFlags.FireAndForget);
            }
            batch.Execute();
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Failed("write", e);
        }
    }

    private void Failed(string operation, Exception e)
    {
        telemetry.RedisErrors.Add(1, new KeyValuePair<string, object?>("operation", operation));
        logger.LogWarning("Dedupe cache {Operation} failed, Postgres decides: {Error}", operation, e.GetType().Name);
    }

    private static RedisKey Key(string storeId, string eventId) => $"flexype:event:{storeId}:{eventId}";
}
