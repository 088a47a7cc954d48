using System.Globalization;
using System.Text.Json;
using FlexyPe.Workflows.Infrastructure;
using FlexyPe.Workflows.Model;
using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Workflows.Recommendations;

/// <summary>
/// The products a store's events show (<c>store_products</c>): the product of a product view, the lines of an
/// abandoned cart. What recommendations choose from, once <see cref="ProductEmbeddingJob"/> has embedded them.
/// </summary>
public static class StoreProducts
{
    /// <summary>
    /// Keeps the products of normalized events (one event, or a hand-off batch in the order taken) in one statement; events
    /// of other types change nothing. A product shown by several of them is merged as taking them one by one would leave
    /// it: the last wording, the last image and handle given. A row is only rewritten when its wording changed or it was
    /// last seen over <see cref="SeenGranularity"/> ago, and rows are written in key order, so concurrent statements
    /// showing the same products never wait on each other in a cycle.
    /// </summary>
    public static async Task UpsertAsync(
        WorkflowsDbContext db, IEnumerable<(string StoreId, string Type, string Json)> events, DateTimeOffset now, CancellationToken ct)
    {
        var merged = new Dictionary<(string Store, string Product, string Variant), SeenProduct>();
        foreach (var (storeId, type, json) in events)
        {
            if (type is not (EventTypes.ProductViewed or EventTypes.AbandonedCheckout or EventTypes.AbandonedSession))
            {
                continue;
            }
            foreach (var p in Read(json))
            {
                var key = (storeId, p.ProductId, p.VariantId ?? "");
                merged[key] = merged.TryGetValue(key, out var earlier)
                    ? p with { Product = p.Product with { Image = p.Image ?? earlier.Image }, Handle = p.Handle ?? earlier.Handle }
                    : p;
            }
        }
        if (merged.Count == 0)
        {
            return;
        }
        var rows = merged.OrderBy(r => r.Key.Store, StringComparer.Ordinal).ThenBy(r => r.Key.Product, StringComparer.Ordinal)
            .ThenBy(r => r.Key.Variant, StringComparer.Ordinal).ToList();
        var stores = rows.Select(r => r.Key.Store).ToArray();
        var ids = rows.Select(r => r.Key.Product).ToArray();
        var variants = rows.Select(r => r.Key.Variant).ToArray();
        var titles = rows.Select(r => r.Value.Title).ToArray();
        var variantTitles = rows.Select(r => r.Value.VariantTitle).ToArray();
        var images = rows.Select(r => r.Value.Image).ToArray();
        var handles = rows.Select(r => r.Value.Handle).ToArray();
        var hashes = rows.Select(r => r.Value.Product.ContentHash).ToArray();
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO store_products (store_id, product_id, variant_id, title, variant_title, image, handle, content_hash, last_seen_at)
            SELECT p.store_id, p.product_id, p.variant_id, p.title, p.variant_title, p.image, p.handle, p.content_hash, {now}
            FROM unnest({stores}, {ids}, {variants}, {titles}, {variantTitles}, {images}, {handles}, {hashes}) WITH ORDINALITY
                AS p(store_id, product_id, variant_id, title, variant_title, image, handle, content_hash, n)
            ORDER BY p.n
            ON CONFLICT (store_id, product_id, variant_id) DO UPDATE SET
                title = EXCLUDED.title, variant_title = EXCLUDED.variant_title,
                image = COALESCE(EXCLUDED.image, store_products.image), handle = COALESCE(EXCLUDED.handle, store_products.handle),
                content_hash = EXCLUDED.content_hash, last_seen_at = GREATEST(store_products.last_seen_at, EXCLUDED.last_seen_at)
            WHERE (store_products.title, store_products.variant_title, store_products.image, store_products.handle, store_products.content_hash)
                    IS DISTINCT FROM (EXCLUDED.title, EXCLUDED.variant_title, COALESCE(EXCLUDED.image, store_products.image),
                                      COALESCE(EXCLUDED.handle, store_products.handle), EXCLUDED.content_hash)
                OR store_products.last_seen_at < EXCLUDED.last_seen_at - {SeenGranularity}
            """, ct);
    }

    /// <summary>
    /// How fresh <c>last_seen_at</c> is kept: a product shown again within this of its last sighting is not rewritten
    /// (recommendations order by it; a minute does not change that order in any way a shopper would see).
    /// </summary>
    public static readonly TimeSpan SeenGranularity = TimeSpan.FromMinutes(1);

    /// <summary>A product as an event shows it, and its handle (the link is made from the store's URL when a message renders).</summary>
    public sealed record SeenProduct(CatalogProduct Product, string? Handle)
    {
        public string ProductId => Product.ProductId;
        public string? VariantId => Product.VariantId;
        public string Title => Product.Title;
        public string? VariantTitle => Product.VariantTitle;
        public string? Image => Product.Image;
    }

    /// <summary>The products of a normalized event: its <c>product</c> and its cart lines, one per product and variant.</summary>
    public static List<SeenProduct> Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var items = new List<JsonElement>();
        if (root.TryGetProperty("product", out var product) && product.ValueKind == JsonValueKind.Object)
        {
            items.Add(product);
        }
        if (root.TryGetProperty("cart", out var cart) && cart.ValueKind == JsonValueKind.Array)
        {
            items.AddRange(cart.EnumerateArray().Where(line => line.ValueKind == JsonValueKind.Object));
        }
        return [.. items
            .Select(item => CatalogProduct.FromModel(Flat(item), storeDomain: null) is { } p ? new SeenProduct(p, Text(item, "handle")) : null)
            .OfType<SeenProduct>()
            .DistinctBy(p => (p.ProductId, p.VariantId ?? ""))];
    }

    private static Dictionary<string, object?> Flat(JsonElement item)
        => item.EnumerateObject().ToDictionary(p => p.Name, p => (object?)Text(item, p.Name), StringComparer.Ordinal);

    private static string? Text(JsonElement item, string name)
        => item.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => string.IsNullOrWhiteSpace(value.GetString()) ? null : value.GetString()!.Trim(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;

    /// <summary>A store product as a recommendation candidate, its link on the store's site.</summary>
    public static CatalogProduct ToCatalog(StoreProduct product, string? storeUrl)
        => new(product.ProductId, product.VariantId.Length == 0 ? null : product.VariantId, product.Title, product.VariantTitle,
            product.Collection, product.Image,
            storeUrl is null || product.Handle is null ? null : string.Create(CultureInfo.InvariantCulture, $"{storeUrl}/products/{Uri.EscapeDataString(product.Handle)}"));
}
