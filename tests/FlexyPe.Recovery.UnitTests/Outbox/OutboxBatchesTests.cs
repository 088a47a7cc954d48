using FlexyPe.Outbox;

namespace FlexyPe.Recovery.UnitTests.Outbox;

public sealed class OutboxBatchesTests
{
    [Fact]
    public void Rows_without_ordering_keys_go_in_consecutive_runs()
    {
        var batches = OutboxBatches.Split(new string?[7], 3);

        Assert.Equal([[0, 1, 2], [3, 4, 5], [6]], batches);
    }

    [Fact]
    public void Every_row_of_a_key_goes_in_one_batch_in_the_relays_order()
    {
        // Four shoppers, their hand-offs interleaved as a busy store writes them.
        string?[] keys = ["a", "b", "c", "d", "a", "b", "c", "d", "a", "c", "a", "b"];

        var batches = OutboxBatches.Split(keys, 4);

        Assert.Equal(3, batches.Count);
        foreach (var key in keys.Distinct())
        {
            var rows = Enumerable.Range(0, keys.Length).Where(i => keys[i] == key).ToList();
            Assert.Single(batches, batch => batch.Intersect(rows).Any());
            Assert.Equal(rows, batches.Single(batch => batch.Contains(rows[0])).Where(rows.Contains));
        }
        Assert.All(batches, batch => Assert.Equal(batch.Order(), batch));
        Assert.Equal(Enumerable.Range(0, keys.Length), batches.SelectMany(b => b).Order());
    }

    [Fact]
    public void New_keys_and_rows_without_a_key_go_to_the_emptiest_batch()
    {
        string?[] keys = ["a", "a", "a", "b", null, "c", null, "d"];

        var batches = OutboxBatches.Split(keys, 4);

        // "a" fills the first batch with its three rows; everything after it is new and goes to the second until it
        // has as many, then they alternate.
        Assert.Equal([[0, 1, 2, 6], [3, 4, 5, 7]], batches);
    }

    [Fact]
    public void One_key_is_one_batch_however_many_rows_it_has()
    {
        var batches = OutboxBatches.Split(Enumerable.Repeat<string?>("a", 10).ToList(), 4);

        Assert.Equal([Enumerable.Range(0, 10).ToList()], batches);
    }
}
