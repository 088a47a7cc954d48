using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Memory;

namespace FlexyPe.Workflows.Recommendations;

/// <summary>Product recommendations settings (<c>Workflows:Recommendations:*</c>).</summary>
public sealed class RecommendationOptions
{
    public const string Section = "Workflows:Recommendations";

    /// <summary>Vectors kept in process (each 384 floats, about 1.5 KB); the least recently used go first.</summary>
    public long CachedEmbeddings { get; set; } = 50_000;
    /// <summary>ONNX Runtime threads per embedding call; 0 lets it use every core (it competes with step firing).</summary>
    public int ModelThreads { get; set; } = 1;
}

public static class RecommendationsServiceCollectionExtensions
{
    /// <summary>The ActivitySource and Meter of embedding calls (inside the service defaults' <c>FlexyPe.*</c>).</summary>
    public const string TelemetrySource = "FlexyPe.Workflows.Recommendations";

    /// <summary>
    /// The MiniLM embedding generator (wrapped so each batch is a span), the embedding cache and the recommender. An
    /// <see cref="IProductEmbeddingStore"/> registered by the host is used behind the in-process cache.
    /// </summary>
    public static IHostApplicationBuilder AddProductRecommendations(this IHostApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection(RecommendationOptions.Section).Get<RecommendationOptions>() ?? new RecommendationOptions();
        builder.Services.AddEmbeddingGenerator(_ => new MiniLmEmbeddingGenerator(settings.ModelThreads))
            .UseOpenTelemetry(sourceName: TelemetrySource, configure: otel => otel.EnableSensitiveData = false);
        builder.Services.AddKeyedSingleton<IMemoryCache>(nameof(ProductEmbeddings),
            (_, _) => new MemoryCache(new MemoryCacheOptions { SizeLimit = settings.CachedEmbeddings }));
        builder.Services.AddSingleton(sp => new ProductEmbeddings(
            sp.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>(),
            sp.GetRequiredKeyedService<IMemoryCache>(nameof(ProductEmbeddings)),
            sp.GetService<IProductEmbeddingStore>()));
        builder.Services.AddSingleton<ProductRecommendations>();
        return builder;
    }
}
