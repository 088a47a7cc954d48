namespace FlexyPe.Outbox;

/// <summary>How the relay splits the rows it has claimed into the batches it sends side by side.</summary>
public static class OutboxBatches
{
    /// <summary>
    /// Splits rows, given in the relay's order by their <see cref="OutboxMessage.OrderingKey"/>, into at most
    /// ceil(rows / <paramref name="size"/>) batches of row indexes, each in the relay's order. Without ordering keys the
    /// batches are consecutive runs of <paramref name="size"/>. With them, every row of a key joins the batch its key's
    /// first row went to, and a new key (or a row without one) goes to the batch with the fewest rows so far: one
    /// shopper's hand-offs never travel in two concurrent batches, and the batches stay about <paramref name="size"/>
    /// (one may pass it by the later rows of keys it already holds).
    /// </summary>
    public static List<List<int>> Split(IReadOnlyList<string?> orderingKeys, int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if (orderingKeys.All(key => key is null))
        {
            return [.. Enumerable.Range(0, orderingKeys.Count).Chunk(size).Select(run => run.ToList())];
        }

        var batches = Enumerable.Range(0, (orderingKeys.Count + size - 1) / size).Select(_ => new List<int>()).ToList();
        var batchOfKey = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < orderingKeys.Count; i++)
        {
            var key = orderingKeys[i];
            if (key is null || !batchOfKey.TryGetValue(key, out var batch))
            {
                batch = batches.MinBy(b => b.Count)!;
                if (key is not null)
                {
                    batchOfKey[key] = batch;
                }
            }
            batch.Add(i);
        }
        return [.. batches.Where(b => b.Count > 0)];
    }
}
