using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace FlexyPe.Recovery.UnitTests.AppHost;

/// <summary>The AppHost's app model under <c>dotnet run</c>, built (not started) once plainly and once with settings.</summary>
public sealed class RunModels : IAsyncLifetime
{
    public const string Ai = "Endpoint=http://127.0.0.1:9/v1;Key=test-key;Model=test-model";

    private readonly List<DistributedApplication> apps = [];

    public DistributedApplicationModel Plain { get; private set; } = null!;

    public DistributedApplicationModel Configured { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Plain = await BuildAsync();
        Configured = await BuildAsync(
            "--Workflows:TimeScale=60", "--Notifier:From=shop@example.test",
            "--Notifier:PublicBaseUrl=https://links.example.test",
            "--ForwardedHeaders:KnownProxies:0=10.1.2.3", "--ForwardedHeaders:KnownNetworks=100.64.0.0/10",
            $"--ConnectionStrings:ai={Ai}");
    }

    private async Task<DistributedApplicationModel> BuildAsync(params string[] arguments)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.FlexyPe_AppHost>(["--Infrastructure:Mode=local", .. arguments]);
        var app = await builder.BuildAsync();
        apps.Add(app);
        return app.Services.GetRequiredService<DistributedApplicationModel>();
    }

    public async Task DisposeAsync()
    {
        foreach (var app in apps)
        {
            await app.DisposeAsync();
        }
    }

    public static async Task<Dictionary<string, string>> EnvironmentOf(DistributedApplicationModel model, string name)
    {
        var resource = model.Resources.Single(r => r.Name == name);
        var configuration = await ExecutionConfigurationBuilder.Create(resource)
            .WithEnvironmentVariablesConfig()
            .BuildAsync(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run), NullLogger.Instance);
        return configuration.EnvironmentVariables.ToDictionary(pair => pair.Key, pair => pair.Value);
    }
}

/// <summary>Settings given to the AppHost reach the service they are for, and only that one.</summary>
public sealed class ForwardedSettingsTests(RunModels models) : IClassFixture<RunModels>
{
    [Fact]
    public async Task A_setting_on_the_apphost_command_line_reaches_its_service_as_an_environment_variable()
    {
        var workflows = await RunModels.EnvironmentOf(models.Configured, "workflows");
        var ingest = await RunModels.EnvironmentOf(models.Configured, "ingest");

        Assert.Equal("60", workflows["Workflows__TimeScale"]);
        Assert.False(workflows.ContainsKey("Notifier__From"));
        Assert.False(ingest.ContainsKey("Workflows__TimeScale"));
    }

    [Fact]
    public async Task A_public_base_url_configured_on_the_apphost_wins_over_the_endpoint()
    {
        var notifier = await RunModels.EnvironmentOf(models.Configured, "notifier");

        Assert.Equal("https://links.example.test", notifier["Notifier__PublicBaseUrl"]);
    }

    [Fact]
    public async Task Configured_trusted_proxies_reach_the_public_services_only()
    {
        foreach (var service in new[] { "ingest", "notifier", "console" })
        {
            var environment = await RunModels.EnvironmentOf(models.Configured, service);
            Assert.Equal("10.1.2.3", environment["ForwardedHeaders__KnownProxies__0"]);
            Assert.Equal("100.64.0.0/10", environment["ForwardedHeaders__KnownNetworks__0"]);
            Assert.False(environment.ContainsKey("ForwardedHeaders__KnownNetworks__1"), "configured networks replace the deployment defaults");
        }
        Assert.DoesNotContain((await RunModels.EnvironmentOf(models.Configured, "workflows")).Keys, key => key.StartsWith("ForwardedHeaders__", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Under_dotnet_run_no_trusted_proxies_are_passed_unless_configured()
    {
        var ingest = await RunModels.EnvironmentOf(models.Plain, "ingest");

        Assert.DoesNotContain(ingest.Keys, key => key.StartsWith("ForwardedHeaders__", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_ai_connection_string_reaches_workflows_only_when_configured()
    {
        Assert.Equal(RunModels.Ai, (await RunModels.EnvironmentOf(models.Configured, "workflows"))["ConnectionStrings__ai"]);
        Assert.False((await RunModels.EnvironmentOf(models.Configured, "ingest")).ContainsKey("ConnectionStrings__ai"));
        Assert.False((await RunModels.EnvironmentOf(models.Plain, "workflows")).ContainsKey("ConnectionStrings__ai"));
    }
}
