using System.Collections.Concurrent;

namespace FlexyPe.Recovery.Testing;

/// <summary>The last lines a child process wrote (200 at most): why it stopped is in them.</summary>
public sealed class RecentLines
{
    private const int Capacity = 200;
    private readonly ConcurrentQueue<string> lines = new();

    /// <summary>Keeps <paramref name="line"/> (a process's output handlers pass null at the end: ignored).</summary>
    public void Add(string? line)
    {
        if (line is null)
        {
            return;
        }
        lines.Enqueue(line);
        while (lines.Count > Capacity)
        {
            lines.TryDequeue(out _);
        }
    }

    public override string ToString() => string.Join('\n', lines);
}
