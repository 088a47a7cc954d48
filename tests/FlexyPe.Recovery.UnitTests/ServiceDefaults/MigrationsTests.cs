using FlexyPe.Console.Infrastructure;
using FlexyPe.Ingest.Infrastructure;
using FlexyPe.Notifier.Infrastructure;
using FlexyPe.Workflows.Infrastructure;
using Microsoft.EntityFrameworkCore;

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
        DbContext[] contexts =
        [
            new IngestDbContext(Options<IngestDbContext>()),
            new WorkflowsDbContext(Options<WorkflowsDbContext>()),
            new NotifierDbContext(Options<NotifierDbContext>()),
            new ConsoleDbContext(Options<ConsoleDbContext>()),
        ];
        var pending = contexts.Where(context => context.Database.HasPendingModelChanges()).Select(context => context.GetType().Name).ToList();
        foreach (var context in contexts)
        {
            context.Dispose();
        }
        Assert.Empty(pending);
    }

    // As each service's Extensions configures it (no connection is opened: the model is compared with the snapshot).
    private static DbContextOptions<T> Options<T>() where T : DbContext =>
        new DbContextOptionsBuilder<T>().UseNpgsql("Host=unused").UseSnakeCaseNamingConvention().Options;
}
