using AngleSharp.Html.Parser;
using FlexyPe.Recovery.StackTests.Notifier;
using FlexyPe.Recovery.StackTests.Workflows;

namespace FlexyPe.Recovery.StackTests.Assistance;

/// <summary>Learned recommendations in a real email (docs/assistance.md): the store's seen products nearest to the cart, never the cart.</summary>
[Collection(WorkflowsStackCollection.Name)]
public sealed class RecommendationsTests(WorkflowsStack stack) : IDisposable
{
    private const string CartTitle = "Trail Running Shoes";
    private readonly WorkflowsApi api = new(stack);
    private readonly NormalizedEvents events = new();

    [Fact]
    public async Task An_abandoned_checkout_email_recommends_products_viewed_in_the_store_nearest_the_cart_and_never_a_cart_item()
    {
        // Other shoppers browse the store and leave the same shoes in a cart: each product is seen, and embedded.
        var other = NormalizedEvents.NewEmail();
        await api.PostEventAsync(events.ProductViewed(other, "Running Sneakers"));
        await api.PostEventAsync(events.ProductViewed(other, "Coffee Mug"));
        await api.PostEventAsync(events.AbandonedCheckout("chk-other", other, cart: NormalizedEvents.Cart(CartTitle)));
        var store = $"'{events.StoreId}'";
        await Eventually.MatchesAsync(() => api.QueryAsync($"""
                SELECT count(*), count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM product_embeddings e WHERE e.content_hash = p.content_hash))
                FROM store_products p WHERE p.store_id = {store}
                """),
            rows => (long)rows[0][0]! == 3 && (long)rows[0][1]! == 0, "the store's three products to be embedded", TimeSpan.FromMinutes(1));

        // The shopper looks at boots, then leaves the shoes in their own cart.
        var email = NormalizedEvents.NewEmail();
        await api.PostEventAsync(events.ProductViewed(email, "Hiking Boots"));
        await api.PostEventAsync(events.AbandonedCheckout("chk-recommend", email, cart: NormalizedEvents.Cart(CartTitle)));

        // Step 2 ("Still thinking it over?") reads recommendations.
        using var mailHttp = stack.App.CreateHttpClient("mail", "http");
        var mail = new MailSink(mailHttp);
        var message = await Eventually.GetAsync<System.Text.Json.JsonElement?>(async () =>
            (await mail.MessagesToAsync(email)).Where(m => m.GetProperty("subject").GetString() == "Still thinking it over?").Cast<System.Text.Json.JsonElement?>().FirstOrDefault(),
            "the second abandoned-checkout email in smtp4dev");
        var html = await mail.HtmlAsync(message!.Value.GetProperty("id").GetString()!);
        var document = new HtmlParser().ParseDocument(html);

        var heading = Assert.Single(document.QuerySelectorAll("p"), p => p.TextContent.Trim() == "You might also like");
        var section = heading.NextElementSibling!;
        Assert.Equal("TABLE", section.TagName);
        var recommended = section.QuerySelectorAll(".product-title").Select(t => t.TextContent.Trim()).ToList();
        // Only the products others viewed, the nearest to the shoes first; not the shoes (in the cart) nor what the
        // shopper just viewed, though both are among the store's embedded products.
        Assert.Equal(["Running Sneakers", "Coffee Mug"], recommended);
        Assert.All(section.QuerySelectorAll("img"), img => Assert.Equal("https://cdn.example.com/tshirt.png", img.GetAttribute("src")));
        // The shoes are still there, in the cart.
        Assert.Contains(document.QuerySelectorAll(".line-title"), t => t.TextContent.Trim() == CartTitle);
    }

    public void Dispose() => api.Dispose();
}
