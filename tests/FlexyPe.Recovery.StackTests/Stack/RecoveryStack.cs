using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FlexyPe.Recovery.StackTests.Stack;

/// <summary>
/// The whole AppHost, started once per test collection in local-process mode (real Postgres, Redis and smtp4dev from
/// this machine), on a throw-away data folder, with secrets made up for this run.
/// </summary>
public class RecoveryStack : IAsyncLifetime
{
    public static readonly string[] Services = ["ingest", "workflows", "notifier", "console"];
    public static readonly string[] Databases = ["ingestdb", "workflowsdb", "notifierdb", "consoledb"];

    // Well under a minute alone; counted from the stack's turn to start (StackStarts), with room for a slow machine.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    public string WebhookSecret { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
    /// <summary>A second accepted secret, as during a rotation (<c>Ingest:WebhookSecrets:1</c>).</summary>
    public string PreviousWebhookSecret { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
    public string AdminApiKey { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
    public string DataDirectory { get; }

    private readonly bool ownsDataDirectory;

    public RecoveryStack()
        : this(Path.Combine(Path.GetTempPath(), $"flexype-tests-{Guid.NewGuid():N}"), ownsDataDirectory: true)
    {
    }

    /// <summary>A stack on a given data folder, which it deletes when it stops only if it owns it.</summary>
    internal RecoveryStack(string dataDirectory, bool ownsDataDirectory)
    {
        DataDirectory = dataDirectory;
        this.ownsDataDirectory = ownsDataDirectory;
    }

    public DistributedApplication App => app ?? throw new InvalidOperationException("The stack has not started.");
    private DistributedApplication? app;

    /// <summary>Extra AppHost arguments a derived collection adds (settings forwarded to the services).</summary>
    protected virtual IEnumerable<string> ExtraArguments => [];

    /// <summary>Lets a derived collection adjust the app model before it is built (a service's environment, say).</summary>
    protected virtual void Configure(IDistributedApplicationTestingBuilder builder)
    {
    }

    public Task InitializeAsync() => StackStarts.InTurnAsync(StartAsync);

    private async Task StartAsync()
    {
        // Not Directory.CreateTempSubdirectory: its 0700 folder would keep the 'postgres' account out.
        Directory.CreateDirectory(DataDirectory);
        string[] arguments =
        [
            "--Infrastructure:Mode=local",
            $"--Infrastructure:DataDirectory={DataDirectory}",
            $"--Parameters:flexype-webhook-secret={WebhookSecret}",
            $"--Parameters:admin-api-key={AdminApiKey}",
            $"--Ingest:WebhookSecrets:1={PreviousWebhookSecret}",
            // Every enrollment treated and every discount step's rule standing, as the tests of other behaviour expect;
            // the holdout and exploration tests set their stores' own shares (a later argument would win, too).
            "--Workflows:Uplift:HoldoutShare=0",
            "--Workflows:Uplift:ExplorationShare=0",
            .. ExtraArguments,
        ];
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.FlexyPe_AppHost>(arguments);
        // No dashboard runs under test, so nothing listens for telemetry: export none, rather than retry into the void.
        foreach (var project in builder.Resources.OfType<ProjectResource>().ToList())
        {
            builder.CreateResourceBuilder(project).WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", "");
        }
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        Configure(builder);

        using var cts = new CancellationTokenSource(StartTimeout);
        app = await builder.BuildAsync(cts.Token);
        await app.StartAsync(cts.Token);
        foreach (var service in Services)
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(service, cts.Token);
        }
    }

    public HttpClient CreateHttpClient(string service) => App.CreateHttpClient(service, "http");

    public async Task DisposeAsync()
    {
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
        if (!ownsDataDirectory)
        {
            return;
        }
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A server still closing its files; the folder is under /tmp and disposable.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class RecoveryStackCollection : ICollectionFixture<RecoveryStack>
{
    public const string Name = "Recovery stack";
}
