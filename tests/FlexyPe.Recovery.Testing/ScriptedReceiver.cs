using System.Collections.Concurrent;
using System.Net;

namespace FlexyPe.Recovery.Testing;

/// <summary>A tiny webhook receiver on 127.0.0.1 that answers from a script and records every request it got.</summary>
public sealed class ScriptedReceiver : IDisposable
{
    public sealed record Received(string? EventId, string? Secret, string? Version, string Body);

    private readonly LocalHttpListener listener;
    private readonly Func<int, Received, Task<int>> answer;
    private int count;

    /// <param name="answer">The status for the n-th request (0-based); it may also delay.</param>
    public ScriptedReceiver(Func<int, Received, Task<int>> answer)
    {
        this.answer = answer;
        listener = new LocalHttpListener(ReceiveAsync);
        Url = new Uri(listener.BaseUrl + "/webhooks/flexype");
    }

    public Uri Url { get; }
    public ConcurrentQueue<Received> Requests { get; } = new();

    private async Task ReceiveAsync(HttpListenerContext context)
    {
        using var reader = new StreamReader(context.Request.InputStream);
        var received = new Received(context.Request.Headers["X-Event-Id"], context.Request.Headers["X-Flexype-Authorization"],
            context.Request.Headers["X-Webhook-Version"], await reader.ReadToEndAsync());
        Requests.Enqueue(received);
        var status = await answer(Interlocked.Increment(ref count) - 1, received);
        context.Response.StatusCode = status;
        var body = status == 200 ? """{"received":true,"duplicate":false}"""u8.ToArray() : """{"title":"unavailable"}"""u8.ToArray();
        await context.Response.OutputStream.WriteAsync(body);
    }

    public void Dispose() => listener.Dispose();
}
