using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Memory;

namespace FlexyPe.Workflows.Recommendations;

/// <summary>
/// Where product embeddings are kept by content hash (the <c>product_embeddings</c> table): each wording of a product
/// is embedded once, by whichever replica sees it first.
/// </summary>
public interface IProductEmbeddingStore
{
    /// <summary>The stored vectors of those of <paramref name="hashes"/> that are stored.</summary>
    Task<IReadOnlyDictionary<string, float[]>> GetManyAsync(IReadOnlyCollection<string> hashes, CancellationToken ct);

    Task PutManyAsync(IReadOnlyDictionary<string, float[]> vectors, CancellationToken ct);
}

/// <summary>
/// Embeddings of texts by content hash: an in-process cache (bounded; least recently used entries go first), then the
/// shared <see cref="IProductEmbeddingStore"/> when there is one, then the model for what neither has.
/// </summary>
public sealed class ProductEmbeddings(
    IEmbeddingGenerator<string, Embedding<float>> generator,
    IMemoryCache cache,
    IProductEmbeddingStore? store = null)
{
    /// <summary>The vector of each text (unit length, as MiniLM's are), keyed by <see cref="CatalogProduct.HashOf"/>.</summary>
    public async Task<IReadOnlyDictionary<string, float[]>> EmbedAsync(IEnumerable<string> texts, CancellationToken ct)
    {
        var wanted = texts.Distinct(StringComparer.Ordinal).ToDictionary(CatalogProduct.HashOf, t => t, StringComparer.Ordinal);
        var found = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var hash in wanted.Keys)
        {
            if (cache.TryGetValue(Key(hash), out float[]? vector) && vector is not null)
            {
                found[hash] = vector;
            }
        }

        var missing = wanted.Keys.Where(h => !found.ContainsKey(h)).ToList();
        if (missing.Count > 0 && store is not null)
        {
            foreach (var (hash, vector) in await store.GetManyAsync(missing, ct))
            {
                found[hash] = vector;
                Remember(hash, vector);
            }
            missing.RemoveAll(found.ContainsKey);
        }

        if (missing.Count > 0)
        {
            var generated = await generator.GenerateAsync([.. missing.Select(h => wanted[h])], cancellationToken: ct);
            var fresh = new Dictionary<string, float[]>(StringComparer.Ordinal);
            for (var i = 0; i < missing.Count; i++)
            {
                var vector = generated[i].Vector.ToArray();
                fresh[missing[i]] = vector;
                found[missing[i]] = vector;
                Remember(missing[i], vector);
            }
            if (store is not null)
            {
                await store.PutManyAsync(fresh, ct);
            }
        }
        return found;
    }

    /// <summary>
    /// The vectors already made for <paramref name="hashes"/>, from the in-process cache or the shared store; never the
    /// model, so a caller that must not wait (a message being fired) gets what exists and goes without the rest.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, float[]>> StoredAsync(IReadOnlyCollection<string> hashes, CancellationToken ct)
    {
        var found = new Dictionary<string, float[]>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var hash in hashes.Distinct(StringComparer.Ordinal))
        {
            if (cache.TryGetValue(Key(hash), out float[]? vector) && vector is not null)
            {
                found[hash] = vector;
            }
            else
            {
                missing.Add(hash);
            }
        }
        if (missing.Count > 0 && store is not null)
        {
            foreach (var (hash, vector) in await store.GetManyAsync(missing, ct))
            {
                found[hash] = vector;
                Remember(hash, vector);
            }
        }
        return found;
    }

    private void Remember(string hash, float[] vector)
        => cache.Set(Key(hash), vector, new MemoryCacheEntryOptions { Size = 1 });

    private static string Key(string hash) => "embedding:" + hash;
}
