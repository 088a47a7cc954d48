using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
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

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await using var scope = services.CreateAsyncScope();
            var logger = scope.ServiceProvider.GetRequiredService<ILogger<TContext>>();
            var context = scope.ServiceProvider.GetRequiredService<TContext>();
            using var activity = ActivitySource.StartActivity($"Migrate {typeof(TContext).Name}");

            await Retry.ExecuteAsync(async token =>
            {
                // Replicas start together; on Postgres one migrates while the others wait, then find nothing to do.
                var lockKey = $"migrations:{typeof(TContext).FullName}";
                var postgres = context.Database.IsNpgsql();
                await context.Database.OpenConnectionAsync(token);
                try
                {
                    if (postgres)
                    {
                        await context.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock(hashtextextended({lockKey}, 0))", token);
                    }
                    await context.Database.MigrateAsync(token);
                    if (seed is not null)
                    {
                        await seed(context, scope.ServiceProvider, token);
                    }
                }
                finally
                {
                    if (postgres)
                    {
                        await context.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock(hashtextextended({lockKey}, 0))", CancellationToken.None);
                    }
                    await context.Database.CloseConnectionAsync();
                }
            }, cancellationToken);

            logger.LogInformation("Database for {DbContext} is migrated", typeof(TContext).Name);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
