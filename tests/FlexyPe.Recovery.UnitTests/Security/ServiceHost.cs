using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FlexyPe.Recovery.UnitTests.Security;

/// <summary>
/// One service's real <c>Program.cs</c> (its endpoints, filters and middleware) built in-process, with made-up secrets
/// and connection strings to ports where nothing listens. Its background work (migrations, relays, senders, Quartz)
/// is left out: what these tests send is answered before anything would reach a database.
/// </summary>
/// <remarks>
/// The service's <c>Program</c> runs on a thread of its own (WebApplicationFactory's deferred host). A service that
/// refuses to start throws on that thread and disposes its host, while this side, which has just built it, asks the
/// host for its lifetime to wait for the start: on a loaded machine the disposal could come first, and the test saw
/// <see cref="ObjectDisposedException"/> instead of the refusal (dotnet/aspnetcore#33494). So the service's host waits
/// in <see cref="IHostLifetime.WaitForStartAsync"/>, before its start-up validation, until this side is listening.
/// </remarks>
/// <typeparam name="TEntryPoint">Any type of the service's assembly (each service's <c>Program</c> has the same name).</typeparam>
/// <param name="overrides">Settings to change from the made-up ones (an empty value leaves a setting unset).</param>
public sealed class ServiceHost<TEntryPoint>(IReadOnlyDictionary<string, string>? overrides = null)
    : WebApplicationFactory<TEntryPoint> where TEntryPoint : class
{
    public const string AdminApiKey = "test-admin-key-3f9c2a71d4e84b6f";
    public const string WebhookSecret = "test-webhook-secret-8e1b5c0a9f7d";

    // Nothing listens on port 9 (discard) here: a request that got as far as the database would fail, not pass.
    private const string NoDatabase = "Host=127.0.0.1;Port=9;Database=none;Username=none;Timeout=1";

    private readonly StartGate gate = new();

    protected override IHost CreateHost(IHostBuilder builder)
    {
        var host = builder.Build();
        // Synchronously, before it first awaits, StartAsync registers for the start and for the service's failure.
        var started = host.StartAsync();
        gate.Open();
        started.GetAwaiter().GetResult();
        return host;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        foreach (var (key, value) in new Dictionary<string, string>
        {
            ["Admin:ApiKey"] = AdminApiKey,
            ["Ingest:WebhookSecrets:0"] = WebhookSecret,
            ["ConnectionStrings:ingestdb"] = NoDatabase,
            ["ConnectionStrings:workflowsdb"] = NoDatabase,
            ["ConnectionStrings:notifierdb"] = NoDatabase,
            ["ConnectionStrings:redis"] = "127.0.0.1:9,abortConnect=false,connectTimeout=200",
            ["ConnectionStrings:smtp"] = "smtp://127.0.0.1:9",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "",
            ["Logging:LogLevel:Default"] = "Warning",
        }.Concat(overrides ?? new Dictionary<string, string>()).GroupBy(p => p.Key).Select(g => g.Last()))
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<IHostLifetime>(gate);
            // Keep the web host itself; drop the service's own background work.
            foreach (var hosted in services.Where(d => d.ServiceType == typeof(IHostedService)).ToList())
            {
                var type = hosted.ImplementationType ?? hosted.ImplementationInstance?.GetType();
                if (type?.Namespace?.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) != true)
                {
                    services.Remove(hosted);
                }
            }
        });
    }
}

/// <summary>A host lifetime that holds the service's start until <see cref="Open"/>; stopping needs nothing.</summary>
internal sealed class StartGate : IHostLifetime
{
    private readonly TaskCompletionSource opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Open() => opened.TrySetResult();

    public Task WaitForStartAsync(CancellationToken cancellationToken) => opened.Task.WaitAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
