namespace FlexyPe.Workflows.Model;

/// <summary>
/// A product a store's events showed (a product viewed, a cart line), kept so messages can recommend it
/// (<c>store_products</c>). <see cref="ContentHash"/> names its embedding in <see cref="ProductEmbedding"/>.
/// </summary>
public sealed class StoreProduct
{
    public required string StoreId { get; set; }
    public required string ProductId { get; set; }
    /// <summary>The variant seen; "" when the event named none (part of the key).</summary>
    public required string VariantId { get; set; }
    public required string Title { get; set; }
    public string? VariantTitle { get; set; }
    public string? Collection { get; set; }
    public string? Image { get; set; }
    /// <summary>The product's handle: its page is <c>{store_url}/products/{handle}</c>.</summary>
    public string? Handle { get; set; }
    public required string ContentHash { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }
}

/// <summary>A product text's embedding by content hash (<c>product_embeddings</c>): each wording is embedded once.</summary>
public sealed class ProductEmbedding
{
    public required string ContentHash { get; set; }
    public required string Model { get; set; }
    /// <summary>real[] (384 values for all-MiniLM-L6-v2, unit length).</summary>
    public required float[] Vector { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
