using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace FlexyPe.Recovery.StackTests.Notifier;

/// <summary>
/// Where a Notifier process exports its telemetry (OTLP over HTTP, protobuf): keeps each request body by signal, so a
/// test can look for a span name, a trace id, a metric name, or make sure an address appears nowhere.
/// </summary>
public sealed class OtlpReceiver : IDisposable
{
    private readonly LocalHttpListener listener;

    public string Endpoint => listener.BaseUrl;
    public ConcurrentQueue<byte[]> Traces { get; } = new();
    public ConcurrentQueue<byte[]> Metrics { get; } = new();
    public ConcurrentQueue<byte[]> Logs { get; } = new();

    public OtlpReceiver() => listener = new LocalHttpListener(ReceiveAsync);

    /// <summary>
    /// Settings that send a process's telemetry here, promptly. The export timeout is the receiver's, not the services'
    /// 2 s default (ServiceDefaults): on a loaded CI machine this listener, in the test process, can take longer than
    /// that to answer, and an export that times out is dropped with every span in it (a CI run missed a delivery's span so).
    /// </summary>
    public IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Endpoint,
        ["OTEL_EXPORTER_OTLP_TIMEOUT"] = "20000",
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
    };

    public static bool Contains(byte[] haystack, string text) => IndexOf(haystack, Encoding.UTF8.GetBytes(text), 0) >= 0;

    public static int IndexOf(byte[] haystack, byte[] needle, int from)
        => haystack.AsSpan(from).IndexOf(needle) is var i and >= 0 ? from + i : -1;

    private async Task ReceiveAsync(HttpListenerContext context)
    {
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
    }

    public void Dispose() => listener.Dispose();
}
