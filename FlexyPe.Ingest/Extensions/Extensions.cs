using FlexyPe.Ingest.HandOffs;
using FlexyPe.Ingest.Infrastructure;
using FlexyPe.Ingest.Storage;
using FlexyPe.Ingest.Telemetry;
using FlexyPe.Ingest.Verification;
using FlexyPe.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FlexyPe.Ingest.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<IngestOptions>()
            .BindConfiguration(IngestOptions.Section)
            .Validate(IngestOptions.HasWebhookSecret,
                "Ingest:WebhookSecrets has no secret: set the AppHost's flexype-webhook-secret parameter (it reaches Ingest as Ingest__WebhookSecrets__0).")
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<IngestOptions>, IngestOptionsValidator>();

        // EF Core owns the schema (migrations) and the operator queries.
        builder.AddNpgsqlDbContext<IngestDbContext>("ingestdb", configureDbContextOptions: options => options.UseSnakeCaseNamingConvention());
        builder.Services.AddMigration<IngestDbContext>();

        // The webhook path talks to Postgres directly, with short timeouts: FlexyPe must hear back within 10 s.
        builder.Services.AddSingleton(_ => new NpgsqlDataSourceBuilder(
            new NpgsqlConnectionStringBuilder(builder.Configuration.GetConnectionString("ingestdb"))
            {
                Timeout = 3,
                CommandTimeout = 4,
            }.ConnectionString).Build());

        // Redis is a cache in front of Postgres: fail fast rather than queue while it is down.
        builder.AddRedisClient("redis", configureOptions: redis =>
        {
            redis.AbortOnConnectFail = false;
            redis.ConnectTimeout = 1000;
            redis.AsyncTimeout = 500;
            redis.SyncTimeout = 500;
            redis.BacklogPolicy = StackExchange.Redis.BacklogPolicy.FailFast;
        });

        builder.Services.AddSingleton<IngestTelemetry>();
        builder.Services.AddSingleton<WebhookAuthenticator>();
        builder.Services.AddSingleton<DedupeCache>();
        builder.Services.AddSingleton<RejectedDeliveryStore>();
        builder.Services.AddSingleton<EventWriter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<EventWriter>());

        // Events go to Workflows 25 to a request, four requests at once: Workflows takes a batch on one connection.
        // The outbox is the retry: one quick attempt per request, then the rows wait for their next turn.
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is marked experimental; it replaces the defaults' handler.
        builder.AddOutbox<EventsToWorkflows>("ingestdb", IngestOptions.Section + ":Outbox", outbox =>
            {
                outbox.SendBatchSize = 25;
                outbox.Concurrency = 4;
                outbox.FirstRetryDelay = TimeSpan.FromMilliseconds(250);
            })
            .ConfigureHttpClient(http => http.BaseAddress = new Uri("http://workflows"))
            .AddAdminApiKey()
            .RemoveAllResilienceHandlers()
            .AddStandardResilienceHandler(resilience =>
            {
                resilience.Retry.MaxRetryAttempts = 1;
                resilience.Retry.Delay = TimeSpan.FromMilliseconds(100);
                // One request carries up to 25 events, which Workflows takes one after another. A timeout leaves them
                // all to be sent again; those already taken are then answered as duplicates.
                resilience.AttemptTimeout.Timeout = TimeSpan.FromSeconds(15);
                resilience.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(35);
                resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(30);
            });
#pragma warning restore EXTEXP0001

        builder.Services.AddOpenApi();
    }
}
