using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Polly;
using Polly.Retry;

namespace Microsoft.Extensions.Hosting;

/// <summary>Applies a DbContext's EF Core migrations when the service starts, before it accepts requests.</summary>
public static class MigrateDbContextExtensions
{
    private static readonly ActivitySource ActivitySource = new(Extensions.TelemetryPrefix + "Migrations");

    /// <summary>
    /// Registers a hosted service that migrates <typeparamref name="TContext"/> at start-up, retrying while the
    /// database is not reachable yet, then runs <paramref name="seed"/> (if any) in the same scope.
    /// </summary>
    public static IServiceCollection AddMigration<TContext>(
        this IServiceCollection services,
        Func<TContext, IServiceProvider, CancellationToken, Task>? seed = null)
        where TContext : DbContext
        => services.AddHostedService(sp => new MigrationHostedService<TContext>(sp, seed));

    private sealed class MigrationHostedService<TContext>(
        IServiceProvider services,
        Func<TContext, IServiceProvider, CancellationToken, Task>? seed) : IHostedService
        where TContext : DbContext
    {
        private static readonly ResiliencePipeline Retry = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder()
                    .Handle<NpgsqlException>(e => e.IsTransient || e is PostgresException { SqlState: "57P03" or "3D000" })
                    .Handle<System.Net.Sockets.SocketException>()
                    .Handle<TimeoutException>(),
                MaxRetryAttempts = 60,
                Delay = TimeSpan.FromSeconds(1),
                BackoffType = DelayBackoffType.Constant,
            })
            .Build();

        private const long MigrationLockKey = 0x466C_6578_7950_4D67; // "FlexyPMg": any constant shared by the replicas

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await using var scope = services.CreateAsyncScope();
            var logger = scope.ServiceProvider.GetRequiredService<ILogger<TContext>>();
            var context = scope.ServiceProvider.GetRequiredService<TContext>();
            using var activity = ActivitySource.StartActivity($"Migrate {typeof(TContext).Name}");

            await Retry.ExecuteAsync(async token =>
            {
                await CreateDatabaseIfMissingAsync(context, token);
                await context.Database.OpenConnectionAsync(token);
                try
                {
                    // Replicas starting together would apply the same migrations at once ("relation already exists");
                    // a Postgres advisory lock (scoped to this database) lets one migrate while the others wait.
                    await context.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({MigrationLockKey})", token);
                    try
                    {
                        await context.Database.MigrateAsync(token);
                        if (seed is not null)
                        {
                            await seed(context, scope.ServiceProvider, token);
                        }
                    }
                    finally
                    {
                        await context.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({MigrationLockKey})", CancellationToken.None);
                    }
                }
                finally
                {
                    await context.Database.CloseConnectionAsync();
                }
            }, cancellationToken);

            logger.LogInformation("Database for {DbContext} is migrated", typeof(TContext).Name);
        }

        /// <summary>
        /// A deployment's Postgres (the published container, or a managed server) starts with no database of ours;
        /// the AppHost creates them only when it runs the server itself. So each service creates its own on first start.
        /// </summary>
        private static async Task CreateDatabaseIfMissingAsync(TContext context, CancellationToken cancellationToken)
        {
            var creator = context.GetService<IRelationalDatabaseCreator>();
            if (await creator.ExistsAsync(cancellationToken))
            {
                return;
            }
            try
            {
                await creator.CreateAsync(cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
            {
                // A replica starting at the same moment created it first.
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
