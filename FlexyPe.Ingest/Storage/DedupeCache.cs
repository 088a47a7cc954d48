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

    /// <summary>Remembers a committed event. Call only after the commit.</summary>
    public void Remember(string storeId, string eventId)
    {
        try
        {
            redis.GetDatabase().StringSet(Key(storeId, eventId), "1", options.Value.DedupeTtl, flags: CommandFlags.FireAndForget);
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
