using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace FlexyPe.Workflows.Recommendations;

/// <summary>
/// A product as seen in a store's events (product viewed, cart lines; the collection it was browsed from), with what
/// an email needs to show it: an image and a link.
/// </summary>
public sealed record CatalogProduct(
    string ProductId,
    string? VariantId,
    string Title,
    string? VariantTitle,
    string? Collection,
    string? Image,
    string? Url)
{
    /// <summary>What is embedded: title, variant and collection, the parts that say what the product is.</summary>
    public string EmbeddingText => string.Join(", ", new[] { Title, VariantTitle, Collection }.Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s!.Trim()));

    /// <summary>SHA-256 of the model and the text: the cache key, so a product is embedded once per wording and model.</summary>
    public string ContentHash => HashOf(EmbeddingText);

    public static string HashOf(string text)
        => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(MiniLmEmbeddingGenerator.ModelId + "\n" + text)));

    /// <summary>
    /// A cart line or a viewed product as the template model holds it (see <see cref="Templates.MessageModel"/>):
    /// product_id, variant_id, title, variant_title, image, handle. The link is the storefront's product page.
    /// Null without an id or a title.
    /// </summary>
    public static CatalogProduct? FromModel(IReadOnlyDictionary<string, object?> item, string? storeDomain, string? collection = null)
    {
        var id = Text(item.GetValueOrDefault("product_id"));
        var title = Text(item.GetValueOrDefault("title"));
        if (id is null || title is null)
        {
            return null;
        }
        var handle = Text(item.GetValueOrDefault("handle"));
        var url = handle is not null && !string.IsNullOrWhiteSpace(storeDomain)
            ? $"https://{storeDomain.Trim().TrimEnd('/')}/products/{Uri.EscapeDataString(handle)}"
            : null;
        return new CatalogProduct(id, Text(item.GetValueOrDefault("variant_id")), title, Text(item.GetValueOrDefault("variant_title")),
            collection, Text(item.GetValueOrDefault("image")), url);
    }

    private static string? Text(object? value) => value switch
    {
        null => null,
        string s => string.IsNullOrWhiteSpace(s) ? null : s.Trim(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
