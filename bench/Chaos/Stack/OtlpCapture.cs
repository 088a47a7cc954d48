using System.Net;

namespace FlexyPe.Chaos.Stack;

/// <summary>
/// Where the stack exports its telemetry (OTLP/HTTP, protobuf): every export appended, as it came, to a file per
/// signal (traces, metrics, logs), so it can be searched afterwards for what must never be in it.
/// </summary>
public sealed class OtlpCapture : IAsyncDisposable
{
    private readonly HttpListener listener = new();
    private readonly Task serving;
    private readonly string directory;
    private readonly SemaphoreSlim gate = new(1, 1);

    public OtlpCapture(string directory)
    {
        this.directory = directory;
        Directory.CreateDirectory(directory);
        Endpoint = $"http://127.0.0.1:{DeployedStack.FreePort()}";
        listener.Prefixes.Add(Endpoint + "/");
        listener.Start();
        serving = Task.Run(ServeAsync);
    }

    public string Endpoint { get; }

    /// <summary>The files written so far: traces.otlp, metrics.otlp, logs.otlp.</summary>
    public IEnumerable<string> Files => Directory.EnumerateFiles(directory, "*.otlp");

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                try
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
                    context.Response.Close();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or IOException)
                {
                }
            });
        }
    }

    public async ValueTask DisposeAsync()
    {
        listener.Stop();
        listener.Close();
        await serving.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
