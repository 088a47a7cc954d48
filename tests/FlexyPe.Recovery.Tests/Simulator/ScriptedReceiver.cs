using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace FlexyPe.Recovery.Tests.Simulator;

/// <summary>A tiny webhook receiver on 127.0.0.1 that answers from a script and records every request it got.</summary>
public sealed class ScriptedReceiver : IDisposable
{
    public sealed record Received(string? EventId, string? Secret, string? Version, string Body);

    private readonly HttpListener listener = new();
    private readonly Func<int, Received, Task<int>> answer;
    private readonly Task loop;
    private int count;

    /// <param name="answer">The status for the n-th request (0-based); it may also delay.</param>
    public ScriptedReceiver(Func<int, Received, Task<int>> answer)
    {
        this.answer = answer;
        var port = FreePort();
        Url = new Uri($"http://127.0.0.1:{port}/webhooks/flexype");
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        loop = Task.Run(ServeAsync);
    }

    public Uri Url { get; }
    public ConcurrentQueue<Received> Requests { get; } = new();

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
                using var reader = new StreamReader(context.Request.InputStream);
                var received = new Received(context.Request.Headers["X-Event-Id"], context.Request.Headers["X-Flexype-Authorization"],
                    context.Request.Headers["X-Webhook-Version"], await reader.ReadToEndAsync());
                Requests.Enqueue(received);
                try
                {
                    var status = await answer(Interlocked.Increment(ref count) - 1, received);
                    context.Response.StatusCode = status;
                    var body = status == 200 ? """{"received":true,"duplicate":false}"""u8.ToArray() : """{"title":"unavailable"}"""u8.ToArray();
                    await context.Response.OutputStream.WriteAsync(body);
                    context.Response.Close();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or IOException)
                {
                    // The client gave up (its timeout) before the answer.
                }
            });
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        listener.Stop();
        listener.Close();
        loop.Wait(TimeSpan.FromSeconds(5));
    }
}
