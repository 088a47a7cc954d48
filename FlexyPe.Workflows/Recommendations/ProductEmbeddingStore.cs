using FlexyPe.Workflows.Infrastructure;
using FlexyPe.Workflows.Model;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace FlexyPe.Workflows.Recommendations;

/// <summary>
/// <c>product_embeddings</c> behind <see cref="ProductEmbeddings"/>' in-process cache: each wording of a product is
/// embedded once, by whichever node gets to it first, and read by every node. A singleton (the cache's), so each call
/// takes its own scope.
/// </summary>
public sealed class ProductEmbeddingStore(IServiceScopeFactory scopes, TimeProvider time) : IProductEmbeddingStore
{
    public async Task<IReadOnlyDictionary<string, float[]>> GetManyAsync(IReadOnlyCollection<string> hashes, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WorkflowsDbContext>();
        var list = hashes.ToList();
        return await db.ProductEmbeddings.AsNoTracking()
            .Where(e => list.Contains(e.ContentHash))
            .ToDictionaryAsync(e => e.ContentHash, e => e.Vector, StringComparer.Ordinal, ct);
    }

    public async Task PutManyAsync(IReadOnlyDictionary<string, float[]> vectors, CancellationToken ct)
    {
        if (vectors.Count == 0)
        {
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WorkflowsDbContext>();
        var hashes = vectors.Keys.ToArray();
        var now = time.GetUtcNow();
        foreach (var hash in hashes)
        {
            // Another node may have embedded the same text a moment ago: the first one stays.
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO product_embeddings (content_hash, model, vector, created_at)
                VALUES ({hash}, {MiniLmEmbeddingGenerator.ModelId}, {vectors[hash]}, {now})
                ON CONFLICT (content_hash) DO NOTHING
                """, ct);
        }
    }
}

/// <summary>
/// Embeds the products the stores' events have shown that have no embedding yet (<c>Workflows:Recommendations:EmbedInterval</c>),
/// so firing finds them made and never waits on the model. On the clustered scheduler: one node at a time.
/// </summary>
[DisallowConcurrentExecution]
public sealed class ProductEmbeddingJob(WorkflowsDbContext db, ProductEmbeddings embeddings, ILogger<ProductEmbeddingJob> logger) : IJob
{
    public static readonly JobKey Key = new("product-embeddings", "workflows");
    private const int Batch = 256;

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var embedded = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var missing = await db.StoreProducts.AsNoTracking()
                .Where(p => !db.ProductEmbeddings.Any(e => e.ContentHash == p.ContentHash))
                .Select(p => new { p.ContentHash, p.ProductId, p.VariantId, p.Title, p.VariantTitle, p.Collection })
                .Take(Batch)
                .ToListAsync(cancellationToken);
            if (missing.Count == 0)
            {
                break;
            }
            var texts = missing
                .Select(p => new CatalogProduct(p.ProductId, p.VariantId, p.Title, p.VariantTitle, p.Collection, null, null).EmbeddingText)
                .Distinct(StringComparer.Ordinal)
                .ToList();
            await embeddings.EmbedAsync(texts, cancellationToken);
            embedded += texts.Count;
            if (missing.Count < Batch)
            {
                break;
            }
        }
        if (embedded > 0)
        {
            logger.LogInformation("Embedded {Count} product texts for recommendations", embedded);
        }
    }
}
