using FlexyPe.Recovery.Testing;

namespace FlexyPe.Chaos.Stack;

/// <summary>
/// Where the stack exports its telemetry (OTLP/HTTP, protobuf): every export appended, as it came, to a file per
/// signal (traces, metrics, logs), so it can be searched afterwards for what must never be in it.
/// </summary>
public sealed class OtlpCapture : IAsyncDisposable
{
    private readonly LocalHttpListener listener;
    private readonly string directory;
    private readonly SemaphoreSlim gate = new(1, 1);

    public OtlpCapture(string directory)
    {
        this.directory = directory;
        Directory.CreateDirectory(directory);
        listener = new LocalHttpListener(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var signal = context.Request.Url?.AbsolutePath.TrimStart('/').Replace("v1/", "", StringComparison.Ordinal) ?? "other";
            await gate.WaitAsync();
            try
            {
                await File.AppendAllBytesAsync(Path.Combine(directory, signal + ".otlp"), body.ToArray());
            }
            finally
            {
                gate.Release();
            }
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
        });
    }

    public string Endpoint => listener.BaseUrl;

    /// <summary>The files written so far: traces.otlp, metrics.otlp, logs.otlp.</summary>
    public IEnumerable<string> Files => Directory.EnumerateFiles(directory, "*.otlp");

    public ValueTask DisposeAsync()
    {
        listener.Dispose();
        gate.Dispose();
        return ValueTask.CompletedTask;
    }
}
