using System.Collections.Concurrent;
using FlexyPe.Workflows.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Workflows.Uplift;

/// <summary>
/// Each store's current uplift model, loaded from <c>uplift_models</c> once per version and process: a batch of due
/// steps reads which version is current (one small query) and loads only a version it has not loaded yet. A stored
/// model that cannot be loaded is logged once, with the reason, and the steps' rules stand.
/// </summary>
public sealed class UpliftModelCache(ILogger<UpliftModelCache> logger)
{
    private sealed record Loaded(int Version, UpliftModel? Model, string? Problem);

    private readonly ConcurrentDictionary<string, Loaded> models = new(StringComparer.Ordinal);

    /// <summary>The current model of each store that has one it could load.</summary>
    public async Task<IReadOnlyDictionary<string, UpliftModel>> CurrentAsync(WorkflowsDbContext db, IReadOnlyCollection<string> storeIds, CancellationToken ct)
    {
        var result = new Dictionary<string, UpliftModel>(StringComparer.Ordinal);
        if (storeIds.Count == 0)
        {
            return result;
        }
        var current = await db.UpliftModels.AsNoTracking()
            .Where(m => m.IsCurrent && storeIds.Contains(m.StoreId))
            .Select(m => new { m.StoreId, m.Version })
            .ToListAsync(ct);
        foreach (var (storeId, version) in current.Select(c => (c.StoreId, c.Version)))
        {
            if (!models.TryGetValue(storeId, out var loaded) || loaded.Version != version)
            {
                var bytes = await db.UpliftModels.AsNoTracking()
                    .Where(m => m.StoreId == storeId && m.Version == version)
                    .Select(m => m.Bytes)
                    .FirstOrDefaultAsync(ct);
                var model = UpliftModel.TryLoad(bytes, out var problem);
                if (model is null)
                {
                    logger.LogWarning("Uplift model v{Version} of store {StoreId} cannot be used: {Problem}; its steps' rules stand", version, storeId, problem);
                }
                loaded = new Loaded(version, model, problem);
                models[storeId] = loaded;
            }
            if (loaded.Model is { } usable)
            {
                result[storeId] = usable;
            }
        }
        return result;
    }
}
