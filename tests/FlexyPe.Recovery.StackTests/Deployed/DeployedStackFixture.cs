using System.Security.Cryptography;
using FlexyPe.Chaos.Faults;
using FlexyPe.Chaos.Stack;

namespace FlexyPe.Recovery.StackTests.Deployed;

/// <summary>
/// The stack in its deployed shape (bench/Chaos's <see cref="DeployedStack"/>: every service its own process from this
/// build, Postgres, Redis and a journaling SMTP server), so a test can kill any process with -9 and start it again,
/// as the AppHost's stop command (a graceful stop) cannot. Telemetry is exported to a capture that tests search.
/// </summary>
#pragma warning disable CA1001 // Disposed in DisposeAsync, as xunit's fixtures are.
public class DeployedStackFixture : IAsyncLifetime
#pragma warning restore CA1001
{
    /// <summary>The scenario of the short form: a 12 s stream, the process down for 3 s.</summary>
    public static readonly ScenarioOptions Scenario = new()
    {
        StreamFor = TimeSpan.FromSeconds(12),
        JourneysPerSecond = 2,
        KillAfter = TimeSpan.FromSeconds(3),
        DownFor = TimeSpan.FromSeconds(3),
        DrainTimeout = TimeSpan.FromMinutes(2),
    };

    /// <summary>The share of recipients the SMTP server refuses for good (hard bounces, which suppress the address).</summary>
    public const double BounceRate = 0.05;

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), $"flexype-deployed-{Guid.NewGuid():N}");
    public string WebhookSecret { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
    public string AdminApiKey { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));

    protected virtual int Replicas => 1;

    /// <summary>Settings on top of the suite's own.</summary>
    protected virtual IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string>();

    public DeployedStack Stack => stack ?? throw new InvalidOperationException("Not started.");
    public OtlpCapture Otlp => otlp ?? throw new InvalidOperationException("Not started.");
    private DeployedStack? stack;
    private OtlpCapture? otlp;

    public async Task InitializeAsync()
    {
        otlp = new OtlpCapture(Path.Combine(Directory, "otlp"));
        // bin/<Configuration>/net10.0: the services were built in the same configuration as these tests.
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        stack = new DeployedStack(new StackOptions
        {
            Directory = Directory,
            WebhookSecret = WebhookSecret,
            AdminApiKey = AdminApiKey,
            Replicas = Replicas,
            Configuration = configuration,
            OtlpEndpoint = otlp.Endpoint,
            BounceRate = BounceRate,
            Settings = new Dictionary<string, string>(ChaosSuite.StackSettings(Scenario).Concat(ExtraSettings)),
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await stack.StartAsync(timeout.Token);
    }

    public async Task DisposeAsync()
    {
        if (stack is not null)
        {
            await stack.DisposeAsync();
        }
        if (otlp is not null)
        {
            await otlp.DisposeAsync();
        }
        if (Environment.GetEnvironmentVariable("FLEXYPE_KEEP_STACK") is "1")
        {
            // For finding out why a test failed: the services' logs are under logs/, Postgres's data under pg/.
            return;
        }
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Postgres's files belong to the postgres account; /tmp is cleaned anyway.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class DeployedStackCollection : ICollectionFixture<DeployedStackFixture>
{
    public const string Name = "Deployed stack";
}

/// <summary>
/// Two processes each of Ingest, Workflows and Notifier on the same databases. Steps are claimed one at a time, so two
/// steps of one shopper falling due together are claimed by both Workflows processes at once, as under load.
/// </summary>
public sealed class ReplicatedStackFixture : DeployedStackFixture
{
    protected override int Replicas => 2;

    protected override IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string>
    {
        ["Workflows:Scheduling:BatchSize"] = "1",
    };
}

[CollectionDefinition(Name)]
public sealed class ReplicatedStackCollection : ICollectionFixture<ReplicatedStackFixture>
{
    public const string Name = "Deployed stack, two replicas";
}
