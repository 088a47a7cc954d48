using System.Diagnostics;
using FlexyPe.Workflows.Recommendations;

namespace FlexyPe.Recovery.UnitTests.Recommendations;

/// <summary>The MiniLM model, loaded once per test class (about a second and 350 MB; see bench/results/embeddings.json).</summary>
public sealed class MiniLmFixture : IDisposable
{
    public MiniLmFixture()
    {
        var started = Stopwatch.GetTimestamp();
        Generator = new MiniLmEmbeddingGenerator();
        Generator.Load();
        LoadTime = Stopwatch.GetElapsedTime(started);
    }

    public MiniLmEmbeddingGenerator Generator { get; }
    public TimeSpan LoadTime { get; }

    public void Dispose() => Generator.Dispose();
}
