using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace FlexyPe.Recovery.UnitTests.AppHost;

/// <summary>Settings given to the AppHost reach the service they are for, and only that one.</summary>
public sealed class ForwardedSettingsTests
{
    [Fact]
    public async Task A_setting_on_the_apphost_command_line_reaches_its_service_as_an_environment_variable()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.FlexyPe_AppHost>(
            ["--Infrastructure:Mode=local", "--Workflows:TimeScale=60", "--Notifier:From=shop@example.test"]);
        await using var app = await builder.BuildAsync();
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();

        var workflows = await EnvironmentOf(model, "workflows");
        var ingest = await EnvironmentOf(model, "ingest");

        Assert.Equal("60", workflows["Workflows__TimeScale"]);
        Assert.False(workflows.ContainsKey("Notifier__From"));
        Assert.False(ingest.ContainsKey("Workflows__TimeScale"));
    }

    private static async Task<Dictionary<string, string>> EnvironmentOf(DistributedApplicationModel model, string name)
    {
        var resource = model.Resources.Single(r => r.Name == name);
        var configuration = await ExecutionConfigurationBuilder.Create(resource)
            .WithEnvironmentVariablesConfig()
            .BuildAsync(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run), NullLogger.Instance);
        return configuration.EnvironmentVariables.ToDictionary(pair => pair.Key, pair => pair.Value);
    }
}
