using FlexyPe.Outbox;

namespace FlexyPe.Recovery.UnitTests.Outbox;

/// <summary>A batch of large payloads goes as several requests, each under the size a receiver reads (OutboxBatchHttp, used by both batch senders).</summary>
public sealed class BatchPartsTests
{
    private static readonly int[] Sizes = [3, 1, 4, 1, 5, 9, 2, 6];

    private static OutboxDelivery Event(int bytes) => new(new OutboxMessage { Key = "k", Payload = "\"" + new string('x', bytes - 2) + "\"" }, null);

    [Fact]
    public void Small_events_go_in_one_request_in_their_order()
    {
        var batch = Enumerable.Range(0, 25).Select(_ => Event(2_000)).ToList();

        var parts = OutboxBatchHttp.PartsOf(batch).ToList();

        Assert.Single(parts);
        Assert.Equal(batch, parts[0]);
    }

    [Fact]
    public void Large_events_are_split_so_no_request_is_over_the_limit_and_none_is_lost_or_reordered()
    {
        const int Megabyte = 1024 * 1024;
        var batch = Sizes.Select(mb => Event(mb * Megabyte)).ToList();

        var parts = OutboxBatchHttp.PartsOf(batch, maxBytes: 8 * Megabyte).ToList();

        Assert.Equal(batch, parts.SelectMany(p => p));
        // Each item counts its payload and room for its wrapping, so 3+1+4 MB and 2+6 MB are just over: 3+1 | 4+1 | 5 |
        // 9 (alone, larger than the limit) | 2 | 6.
        Assert.Equal([2, 2, 1, 1, 1, 1], parts.Select(p => p.Count));
        Assert.All(parts.Where(p => p.Count > 1), p => Assert.True(p.Sum(d => d.Message.Payload!.Length + 128) <= 8 * Megabyte));
    }
}
