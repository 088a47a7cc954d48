using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace FlexyPe.Recovery.Tests.Notifier;

/// <summary>
/// Where a Notifier process exports its telemetry (OTLP over HTTP, protobuf): keeps each request body by signal, so a
/// test can look for a span name, a trace id, a metric name, or make sure an address appears nowhere.
/// </summary>
public sealed class OtlpReceiver : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly Task serving;

    public string Endpoint { get; }
    public ConcurrentQueue<byte[]> Traces { get; } = new();
    public ConcurrentQueue<byte[]> Metrics { get; } = new();
    public ConcurrentQueue<byte[]> Logs { get; } = new();

    public OtlpReceiver()
    {
        var port = TestSmtpServer.FreePort();
        Endpoint = $"http://127.0.0.1:{port}";
        listener.Prefixes.Add($"{Endpoint}/");
        listener.Start();
        serving = Task.Run(ServeAsync);
    }

    /// <summary>Settings that send a process's telemetry here, promptly.</summary>
    public IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Endpoint,
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
    };

    public static bool Contains(byte[] haystack, string text) => IndexOf(haystack, Encoding.UTF8.GetBytes(text), 0) >= 0;

    public static int IndexOf(byte[] haystack, byte[] needle, int from)
        => haystack.AsSpan(from).IndexOf(needle) is var i and >= 0 ? from + i : -1;

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var signal = context.Request.Url?.AbsolutePath switch
            {
                "/v1/traces" => Traces,
                "/v1/metrics" => Metrics,
                "/v1/logs" => Logs,
                _ => null,
            };
            signal?.Enqueue(body.ToArray());
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        listener.Stop();
        listener.Close();
        serving.Wait(TimeSpan.FromSeconds(5));
    }
}
