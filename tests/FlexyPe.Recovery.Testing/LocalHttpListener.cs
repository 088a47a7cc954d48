using System.Net;

namespace FlexyPe.Recovery.Testing;

/// <summary>
/// A real HTTP listener on 127.0.0.1 and a free port that hands each request to <c>handle</c> (several at once): what
/// the tests put where something outside the service under test would be (a webhook target, Workflows'
/// delivery-events endpoint, an OTLP collector). The handler sets the status and body; the response is closed after it.
/// </summary>
public sealed class LocalHttpListener : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly Func<HttpListenerContext, Task> handle;
    private readonly Task serving;

    public LocalHttpListener(Func<HttpListenerContext, Task> handle)
    {
        this.handle = handle;
        BaseUrl = $"http://127.0.0.1:{FreePorts.Next()}";
        listener.Prefixes.Add(BaseUrl + "/");
        listener.Start();
        serving = Task.Run(ServeAsync);
    }

    /// <summary><c>http://127.0.0.1:port</c>, without a trailing slash.</summary>
    public string BaseUrl { get; }

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
                    await handle(context);
                    context.Response.Close();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or IOException)
                {
                    // The client gave up (its timeout) before the answer.
                }
            });
        }
    }

    public void Dispose()
    {
        // Close alone, not Stop and then Close: on Linux each of the two unregisters the prefix, and the second finds its
        // port's endpoint gone and binds the port again to look for it. If something else has taken the port by then, it
        // throws "Address already in use" (a CI run failed so while disposing a test's receiver).
        listener.Close();
        serving.Wait(TimeSpan.FromSeconds(5));
    }
}
