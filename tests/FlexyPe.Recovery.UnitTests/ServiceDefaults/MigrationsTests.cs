using FlexyPe.Console.Infrastructure;
using FlexyPe.Ingest.Infrastructure;
using FlexyPe.Notifier.Infrastructure;
using FlexyPe.Workflows.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FlexyPe.Recovery.UnitTests.ServiceDefaults;

/// <summary>
/// Each service's database is what its migrations make it: a change to a model (an index, a column) that no migration
/// carries would exist in the code and never in Postgres, and nothing else would notice.
/// </summary>
public sealed class MigrationsTests
{
    [Fact]
    public void Every_change_to_a_services_model_is_in_a_migration()
    {
        string[] pending =
        [
            .. Pending<IngestDbContext>(FlexyPe.Ingest.Extensions.Extensions.AddApplicationServices),
            .. Pending<WorkflowsDbContext>(FlexyPe.Workflows.Extensions.Extensions.AddApplicationServices),
            .. Pending<NotifierDbContext>(FlexyPe.Notifier.Extensions.Extensions.AddApplicationServices),
            .. Pending<ConsoleDbContext>(FlexyPe.Console.Extensions.Extensions.AddApplicationServices),
        ];
        Assert.Empty(pending);
    }

    /// <summary>
    /// The context as the service registers it (its own <c>AddApplicationServices</c>, so its options are the service's),
    /// compared with its migrations' snapshot: nothing is started and no connection is opened.
    /// </summary>
    private static IEnumerable<string> Pending<T>(Action<IHostApplicationBuilder> addServices) where T : DbContext
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        foreach (var name in new[] { "ingestdb", "workflowsdb", "notifierdb", "consoledb", "redis", "smtp" })
        {
            builder.Configuration[$"ConnectionStrings:{name}"] = name == "redis" ? "127.0.0.1:1" : "Host=127.0.0.1;Port=1";
        }
        addServices(builder);
        using var services = builder.Services.BuildServiceProvider();
        using var scope = services.CreateScope();
        return scope.ServiceProvider.GetRequiredService<T>().Database.HasPendingModelChanges() ? [typeof(T).Name] : [];
    }
}
