using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;

namespace FlexyPe.Recovery.StackTests.Notifier;

/// <summary>
/// Stands where Workflows' <c>POST /internal/delivery-events</c> will be: a real HTTP listener that records what it
/// is sent, or answers 503 while it is told to refuse.
/// </summary>
internal sealed class DeliveryEventReceiver : IDisposable
{
    private readonly LocalHttpListener listener;

    public sealed record Received(JsonElement Body, string? Authorization, string? TraceParent);

    public ConcurrentQueue<Received> Events { get; } = new();
    public volatile bool Refusing;
    public string Url => listener.BaseUrl + "/internal/delivery-events";

    public DeliveryEventReceiver() => listener = new LocalHttpListener(ReceiveAsync);

    public IReadOnlyList<Received> For(string email)
        => Events.Where(e => e.Body.GetProperty("email").GetString() == email).ToList();

    private async Task ReceiveAsync(HttpListenerContext context)
    {
        if (Refusing)
        {
            context.Response.StatusCode = 503;
            return;
        }
        using var reader = new StreamReader(context.Request.InputStream);
        Events.Enqueue(new Received(
            JsonDocument.Parse(await reader.ReadToEndAsync()).RootElement.Clone(),
            context.Request.Headers["Authorization"],
            context.Request.Headers["traceparent"]));
        context.Response.StatusCode = 200;
    }

    public void Dispose() => listener.Dispose();
}
