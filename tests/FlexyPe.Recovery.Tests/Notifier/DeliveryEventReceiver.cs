using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;

namespace FlexyPe.Recovery.Tests.Notifier;

/// <summary>
/// Stands where Workflows' <c>POST /internal/delivery-events</c> will be: a real HTTP listener that records what it
/// is sent, or answers 503 while it is told to refuse.
/// </summary>
internal sealed class DeliveryEventReceiver : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly Task serving;

    public sealed record Received(JsonElement Body, string? Authorization, string? TraceParent);

    public ConcurrentQueue<Received> Events { get; } = new();
    public volatile bool Refusing;
    public string Url { get; }

    public DeliveryEventReceiver()
    {
        var port = TestSmtpServer.FreePort();
        Url = $"http://127.0.0.1:{port}/internal/delivery-events";
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        serving = Task.Run(ServeAsync);
    }

    public IReadOnlyList<Received> For(string email)
        => Events.Where(e => e.Body.GetProperty("email").GetString() == email).ToList();

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

            if (Refusing)
            {
                context.Response.StatusCode = 503;
            }
            else
            {
                using var reader = new StreamReader(context.Request.InputStream);
                Events.Enqueue(new Received(
                    JsonDocument.Parse(await reader.ReadToEndAsync()).RootElement.Clone(),
                    context.Request.Headers["Authorization"],
                    context.Request.Headers["traceparent"]));
                context.Response.StatusCode = 200;
            }
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
