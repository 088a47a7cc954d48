using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace FlexyPe.Workflows.Recommendations;

/// <summary>Checks the <see cref="RecommendationOptions"/> attributes at start-up (source-generated).</summary>
[OptionsValidator]
public sealed partial class RecommendationOptionsValidator : IValidateOptions<RecommendationOptions>;

/// <summary>Product recommendations settings (<c>Workflows:Recommendations:*</c>).</summary>
public sealed class RecommendationOptions
{
    public const string Section = "Workflows:Recommendations";

    /// <summary>Vectors kept in process (each 384 floats, about 1.5 KB); the least recently used go first.</summary>
    [Range(1, 10_000_000)]
    public long CachedEmbeddings { get; set; } = 50_000;
    /// <summary>ONNX Runtime threads per embedding call; 0 lets it use every core (it competes with step firing).</summary>
    [Range(0, 64)]
    public int ModelThreads { get; set; } = 1;
    /// <summary>The most products a message's <c>recommendations</c> list holds.</summary>
    [Range(0, 50)]
    public int Max { get; set; } = 4;
    /// <summary>A store's most recently seen products a message chooses from.</summary>
    [Range(1, 100_000)]
    public int Candidates { get; set; } = 500;
    /// <summary>How often products seen for the first time are embedded (so a message finds them ready).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan EmbedInterval { get; set; } = TimeSpan.FromMinutes(1);
}

public static class RecommendationsServiceCollectionExtensions
{
    /// <summary>The ActivitySource and Meter of embedding calls (inside the service defaults' <c>FlexyPe.*</c>).</summary>
    public const string TelemetrySource = "FlexyPe.Workflows.Recommendations";

    /// <summary>
    /// The MiniLM embedding generator (wrapped so each batch is a span; the model loads on first use), the embedding
    /// cache and the recommender. An <see cref="IProductEmbeddingStore"/> registered by the host is used behind the
    /// in-process cache.
    /// </summary>
    public static IHostApplicationBuilder AddProductRecommendations(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RecommendationOptions>().BindConfiguration(RecommendationOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<RecommendationOptions>, RecommendationOptionsValidator>();
        builder.Services.AddEmbeddingGenerator(sp => new MiniLmEmbeddingGenerator(sp.GetRequiredService<IOptions<RecommendationOptions>>().Value.ModelThreads))
            .UseOpenTelemetry(sourceName: TelemetrySource, configure: otel => otel.EnableSensitiveData = false);
        builder.Services.AddKeyedSingleton<IMemoryCache>(nameof(ProductEmbeddings), (sp, _) => new MemoryCache(new MemoryCacheOptions
        {
            SizeLimit = sp.GetRequiredService<IOptions<RecommendationOptions>>().Value.CachedEmbeddings,
        }));
        builder.Services.AddSingleton(sp => new ProductEmbeddings(
            sp.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>(),
            sp.GetRequiredKeyedService<IMemoryCache>(nameof(ProductEmbeddings)),
            sp.GetService<IProductEmbeddingStore>()));
        builder.Services.AddSingleton<ProductRecommendations>();
        return builder;
    }
}
