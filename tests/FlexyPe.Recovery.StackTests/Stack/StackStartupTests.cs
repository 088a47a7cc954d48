using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Text.Json;
using Npgsql;

namespace FlexyPe.Recovery.StackTests.Stack;

[Collection(RecoveryStackCollection.Name)]
public sealed class StackStartupTests(RecoveryStack stack)
{
    [Fact]
    public async Task Every_resource_of_the_app_model_becomes_healthy()
    {
        var model = stack.App.Services.GetRequiredService<DistributedApplicationModel>();
        string[] expected = ["postgres", "ingestdb", "workflowsdb", "notifierdb", "redis", "mail", "ingest", "workflows", "notifier"];
        Assert.Subset(model.Resources.Select(r => r.Name).ToHashSet(), expected.ToHashSet());

        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        foreach (var name in expected)
        {
            var ready = await stack.App.ResourceNotifications.WaitForResourceHealthyAsync(name, cts.Token);
            Assert.Equal(KnownResourceStates.Running, ready.Snapshot.State?.Text);
        }
    }

    [Theory]
    [InlineData("ingest")]
    [InlineData("workflows")]
    [InlineData("notifier")]
    public async Task Service_health_endpoint_answers_200_healthy(string service)
    {
        using var http = stack.CreateHttpClient(service);
        var response = await http.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Healthy", report.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("ingest", "IngestDbContext")]
    [InlineData("workflows", "WorkflowsDbContext")]
    [InlineData("notifier", "NotifierDbContext")]
    public async Task Service_reaches_its_database(string service, string databaseCheck)
    {
        var checks = await HealthChecksOf(service);
        Assert.Equal("Healthy", checks[databaseCheck]);
    }

    [Fact]
    public async Task Ingest_reaches_redis()
    {
        var checks = await HealthChecksOf("ingest");
        Assert.Equal("Healthy", checks["StackExchange.Redis"]);
    }

    [Fact]
    public async Task Notifier_reaches_the_smtp_server()
    {
        var checks = await HealthChecksOf("notifier");
        Assert.Equal("Healthy", checks["smtp"]);
    }

    [Theory]
    [InlineData("ingestdb")]
    [InlineData("workflowsdb")]
    [InlineData("notifierdb")]
    public async Task Each_database_has_its_migrations_applied(string database)
    {
        var connectionString = await stack.App.GetConnectionStringAsync(database);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""SELECT migration_id FROM "__EFMigrationsHistory" """, connection);
        var migrations = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                migrations.Add(reader.GetString(0));
            }
        }

        Assert.Contains(migrations, m => m.EndsWith("_Initial", StringComparison.Ordinal));
        Assert.Equal(database, connection.Database);
    }

    private async Task<Dictionary<string, string>> HealthChecksOf(string service)
    {
        using var http = stack.CreateHttpClient(service);
        var report = JsonDocument.Parse(await http.GetStringAsync("/health")).RootElement;
        return report.GetProperty("checks").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
    }
}
