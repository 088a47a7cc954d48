using System.Numerics.Tensors;

namespace FlexyPe.Workflows.Recommendations;

/// <summary>What to recommend from, for one message.</summary>
/// <param name="Cart">The cart's lines: they anchor the recommendation when there are any, and are never recommended.</param>
/// <param name="Viewed">Products the shopper viewed: the anchors when the cart is empty (browse abandonment).</param>
/// <param name="ViewedCollections">Names of collections the shopper viewed, anchors beside <paramref name="Viewed"/>.</param>
/// <param name="BoughtProductIds">Products the shopper already bought: never recommended.</param>
/// <param name="Candidates">The store's products seen in its events, to choose from.</param>
public sealed record RecommendationRequest(
    IReadOnlyList<CatalogProduct> Cart,
    IReadOnlyList<CatalogProduct> Viewed,
    IReadOnlyList<string> ViewedCollections,
    IReadOnlyCollection<string> BoughtProductIds,
    IReadOnlyList<CatalogProduct> Candidates,
    int Max);

/// <summary>A recommended product and its cosine similarity to the nearest anchor.</summary>
public sealed record Recommendation(CatalogProduct Product, double Score);

/// <summary>
/// Products nearest (cosine, MiniLM embeddings) to what the shopper has in the cart, or else to what they browsed;
/// minus what is in the cart, what they bought and what they just viewed; each with an image and a link; at most N.
/// </summary>
public sealed class ProductRecommendations(ProductEmbeddings embeddings)
{
    public async Task<IReadOnlyList<Recommendation>> RecommendAsync(RecommendationRequest request, CancellationToken ct)
    {
        var anchors = Anchors(request);
        var candidates = Candidates(request).ToList();
        if (request.Max <= 0 || anchors.Count == 0 || candidates.Count == 0)
        {
            return [];
        }
        var vectors = await embeddings.EmbedAsync([.. anchors, .. candidates.Select(c => c.EmbeddingText)], ct);
        return Rank(request, vectors);
    }

    /// <summary>
    /// The ranking alone, over vectors already made (keyed by <see cref="CatalogProduct.HashOf"/>): an anchor or a
    /// candidate without a vector is left out. What firing uses, so a message never waits on the model.
    /// </summary>
    public static IReadOnlyList<Recommendation> Rank(RecommendationRequest request, IReadOnlyDictionary<string, float[]> vectors)
    {
        if (request.Max <= 0)
        {
            return [];
        }
        var anchorVectors = Anchors(request).Select(a => vectors.GetValueOrDefault(CatalogProduct.HashOf(a))).OfType<float[]>().ToList();
        if (anchorVectors.Count == 0)
        {
            return [];
        }
        return [.. Candidates(request)
            .Where(c => vectors.ContainsKey(c.ContentHash))
            .Select(c =>
            {
                var vector = vectors[c.ContentHash];
                return new Recommendation(c, anchorVectors.Max(a => (double)TensorPrimitives.CosineSimilarity(a, vector)));
            })
            // One product once, as its best-scoring variant.
            .GroupBy(r => r.Product.ProductId, StringComparer.Ordinal)
            .Select(g => g.MaxBy(r => r.Score)!)
            .OrderByDescending(r => r.Score)
            .ThenBy(r => r.Product.ProductId, StringComparer.Ordinal)
            .Take(request.Max)];
    }

    /// <summary>The texts recommendations are near to: the cart's lines, else what the shopper viewed.</summary>
    private static List<string> Anchors(RecommendationRequest request)
        => request.Cart.Count > 0
            ? [.. request.Cart.Select(p => p.EmbeddingText)]
            : [.. request.Viewed.Select(p => p.EmbeddingText), .. request.ViewedCollections.Where(c => !string.IsNullOrWhiteSpace(c))];

    /// <summary>
    /// What may be recommended: not in the cart, not bought, not just viewed (recently_viewed shows those; these are
    /// for what the shopper has not seen), and with an image and a link.
    /// </summary>
    private static IEnumerable<CatalogProduct> Candidates(RecommendationRequest request)
    {
        var excluded = new HashSet<string>(request.BoughtProductIds, StringComparer.Ordinal);
        excluded.UnionWith(request.Cart.Select(p => p.ProductId));
        excluded.UnionWith(request.Viewed.Select(p => p.ProductId));
        return request.Candidates.Where(p => !excluded.Contains(p.ProductId) && !string.IsNullOrWhiteSpace(p.Image) && !string.IsNullOrWhiteSpace(p.Url));
    }

    /// <summary>
    /// The Liquid <c>recommendations</c> variable: a list of products named as cart lines are (title, variant_title,
    /// image, product_id, variant_id) plus url, e.g. <c>{% for p in recommendations %}&lt;a href="{{ p.url }}"&gt;…</c>.
    /// </summary>
    public static List<object?> ToLiquid(IEnumerable<Recommendation> recommendations)
        => [.. recommendations.Select(r => (object?)new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["product_id"] = r.Product.ProductId,
            ["variant_id"] = r.Product.VariantId,
            ["title"] = r.Product.Title,
            ["variant_title"] = r.Product.VariantTitle,
            ["collection"] = r.Product.Collection,
            ["image"] = r.Product.Image,
            ["url"] = r.Product.Url,
        })];
}
