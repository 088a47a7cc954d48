namespace FlexyPe.Recovery.StackTests.Workflows;

/// <summary>
/// The products events show (store_products, what recommendations choose from; docs/assistance.md): shared by every
/// shopper of a store, so they are kept apart from any one event's transaction, and not rewritten when nothing changed.
/// </summary>
[Collection(WorkflowsStackCollection.Name)]
public sealed class StoreProductsTests(WorkflowsStack stack) : IDisposable
{
    private readonly WorkflowsApi api = new(stack);
    private readonly NormalizedEvents events = new();

    [Fact]
    public async Task The_products_an_event_shows_are_kept_while_its_shopper_is_busy_and_do_not_wait_for_the_event()
    {
        var email = NormalizedEvents.NewEmail();
        var viewed = events.ProductViewed(email, "Linen Shirt");
        var productId = (string)viewed["product"]!["product_id"]!;

        // What event intake holds while it takes another event of the same shopper.
        var busy = await api.HoldShopperLockAsync(events.StoreId, email);
        var posting = api.PostEventAsync(viewed);

        // The view waits for the shopper, but the shirt is already among the store's products for every other event.
        var product = await Eventually.MatchesAsync(
            () => api.QueryAsync($"SELECT title FROM store_products WHERE store_id = '{events.StoreId}' AND product_id = '{productId}'"),
            rows => rows.Count == 1, "the viewed product in store_products while its event waits");
        Assert.Equal("Linen Shirt", (string)product[0][0]!);
        Assert.False(posting.IsCompleted);
        Assert.Equal(0L, await api.ScalarAsync<long>($"SELECT count(*) FROM received_events WHERE store_id = '{events.StoreId}'"));

        await busy.DisposeAsync();
        Assert.Equal("accepted", (string)(await posting)["status"]!);
        Assert.Equal(1L, await api.ScalarAsync<long>($"SELECT count(*) FROM received_events WHERE store_id = '{events.StoreId}'"));
    }

    [Fact]
    public async Task A_product_seen_again_unchanged_is_not_rewritten_and_a_new_title_is_kept_at_once()
    {
        var first = events.ProductViewed(NormalizedEvents.NewEmail(), "Clay Mug");
        var productId = (string)first["product"]!["product_id"]!;
        var row = $"SELECT xmin::text, title, last_seen_at FROM store_products WHERE store_id = '{events.StoreId}' AND product_id = '{productId}'";
        await api.PostEventAsync(first);
        var before = Assert.Single(await api.QueryAsync(row));

        // Another shopper views the same mug, worded the same, seconds later: the row is left as it was.
        var again = events.ProductViewed(NormalizedEvents.NewEmail(), "Clay Mug");
        again["product"]!["product_id"] = productId;
        await api.PostEventAsync(again);
        Assert.Equal(before, Assert.Single(await api.QueryAsync(row)));

        // The store renames it: the next view keeps the new title.
        var renamed = events.ProductViewed(NormalizedEvents.NewEmail(), "Stoneware Clay Mug");
        renamed["product"]!["product_id"] = productId;
        await api.PostEventAsync(renamed);
        var after = Assert.Single(await api.QueryAsync(row));
        Assert.Equal("Stoneware Clay Mug", (string)after[1]!);
        Assert.NotEqual((string)before[0]!, (string)after[0]!);
    }

    public void Dispose() => api.Dispose();
}
