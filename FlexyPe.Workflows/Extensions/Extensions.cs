using FlexyPe.Outbox;
using FlexyPe.Workflows.Assistant;
using FlexyPe.Workflows.Enrollments;
using FlexyPe.Workflows.HandOffs;
using FlexyPe.Workflows.Infrastructure;
using FlexyPe.Workflows.Recommendations;
using FlexyPe.Workflows.Scheduling;
using FlexyPe.Workflows.Sequences;
using FlexyPe.Workflows.Stores;
using FlexyPe.Workflows.Telemetry;
using FlexyPe.Workflows.Templates;
using FlexyPe.Workflows.Uplift;
using FlexyPe.Workflows.Variants;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Quartz;

namespace FlexyPe.Workflows.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        // Transactions are ours (claim, fire, write the outbox in one), so EF's retrying strategy stays off. Statements
        // are prepared automatically, and a value Postgres would refuse while binding it is refused before it is sent
        // (BindRefusals): refused by the database on the run that prepared it, a statement stayed broken on its
        // connection (HostileInputTests.An_event_the_database_refuses_leaves_the_events_after_it_untouched).
        builder.AddNpgsqlDbContext<WorkflowsDbContext>("workflowsdb",
            settings =>
            {
                settings.DisableRetry = true;
                settings.ConnectionString = PreparedStatements.WithAutoPrepare(settings.ConnectionString);
            },
            options => options.UseSnakeCaseNamingConvention().AddInterceptors(BindRefusals.Instance));
        builder.Services.AddMigration<WorkflowsDbContext>(DefaultSequences.SeedAsync);

        builder.Services.AddOptions<WorkflowsOptions>()
            .BindConfiguration(WorkflowsOptions.Section)
            .Validate(WorkflowsOptions.HasKnownTimeZones, "Workflows:QuietHours:TimeZone and every Workflows:StoreTimeZones entry must be IANA time zones.")
            .Validate(o => UpliftOptions.HasValidSchedule(o.Uplift), "Workflows:Uplift:RetrainSchedule must be a Quartz cron expression (seconds first: '0 0 3 * * ?').")
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<WorkflowsOptions>, WorkflowsOptionsValidator>();
        builder.Services.AddSingleton<WorkflowsTelemetry>();
        builder.Services.AddSingleton<WorkflowClock>();
        builder.Services.AddSingleton<LiquidTemplates>();

        builder.Services.AddSingleton<StoreSettingsCache>();
        builder.Services.AddSingleton<KnownStores>();
        builder.Services.AddScoped<StoreSettingsCatalog>();
        builder.Services.AddScoped<StoreRegistry>();

        builder.Services.AddScoped<StepPreviews>();
        builder.Services.AddScoped<SequenceCatalog>();
        builder.Services.AddScoped<CountsOnCommit>();
        builder.Services.AddScoped<EnrollmentEnding>();
        builder.Services.AddScoped<PurchaseExit>();
        builder.Services.AddScoped<EventIntake>();
        builder.Services.AddScoped<DeliveryFeedback>();
        builder.Services.AddScoped<StepChoices>();
        builder.Services.AddScoped<StepFiring>();

        builder.AddAiAssistance();

        // Message requests go to Notifier 50 to a request, two requests at once: Notifier stores a batch with one
        // insert. One per request, Notifier's intake cost more CPU than the firing that produced them (bench/README).
        builder.AddOutbox<MessageRequestsToNotifier>("workflowsdb", WorkflowsOptions.Section + ":Outbox", outbox =>
            {
                outbox.SendBatchSize = 50;
                outbox.Concurrency = 2;
                outbox.MaxRetryDelay = TimeSpan.FromMinutes(5);
            })
            .ConfigureHttpClient(client => client.BaseAddress = new Uri("http://notifier"))
            .AddAdminApiKey();

        builder.Services.AddWakeUp(DueStepsPoller.Channel);
        builder.Services.AddHostedService<DueStepsPoller>();
        builder.AddQuartzCluster();

        builder.Services.AddOpenApi();
    }

    /// <summary>
    /// The holdout and the uplift model (docs/uplift.md), the copy assistant, variant tests and recommendations
    /// (docs/assistance.md), and their recurring jobs on the clustered scheduler.
    /// </summary>
    private static void AddAiAssistance(this IHostApplicationBuilder builder)
    {
        // Random.Shared is thread-safe: one draw of discount arms serves every request.
        builder.Services.AddSingleton(new DiscountArmDraw(Random.Shared));
        builder.Services.AddSingleton<UpliftModelCache>();
        builder.Services.AddScoped<UpliftRetraining>();

        builder.AddCopyAssistant();
        builder.Services.AddScoped<AssistantCallStore>();
        builder.AddVariantTests();
        builder.Services.AddSingleton<IProductEmbeddingStore, ProductEmbeddingStore>();
        builder.AddProductRecommendations();

        var workflows = builder.Configuration.GetSection(WorkflowsOptions.Section).Get<WorkflowsOptions>() ?? new WorkflowsOptions();
        var variants = builder.Configuration.GetSection(VariantTestOptions.Section).Get<VariantTestOptions>() ?? new VariantTestOptions();
        var recommendations = builder.Configuration.GetSection(RecommendationOptions.Section).Get<RecommendationOptions>() ?? new RecommendationOptions();
        // AddQuartz is additive: these jobs join the clustered scheduler AddQuartzCluster sets up.
        builder.Services.AddQuartz(quartz =>
        {
            // Durable: on-demand retraining (POST …/uplift/retrain) triggers the job by its key.
            quartz.AddJob<UpliftRetrainJob>(job => job.WithIdentity(UpliftRetrainJob.Key).StoreDurably());
            quartz.AddTrigger(trigger => trigger.WithIdentity("uplift-retrain-daily", "workflows").ForJob(UpliftRetrainJob.Key)
                .WithSchedule(CronScheduleBuilder.Create(workflows.Uplift.RetrainSchedule).InTimeZone(TimeZoneInfo.Utc)
                    .WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed)));
            quartz.AddJob<VariantStatsJob>(job => job.WithIdentity(VariantStatsJob.Key));
            quartz.AddTrigger(trigger => trigger.WithIdentity("variant-stats", "workflows").ForJob(VariantStatsJob.Key).StartNow()
                .WithSchedule(SimpleScheduleBuilder.Create().WithInterval(variants.RollUpInterval).RepeatForever()
                    .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));
            quartz.AddJob<ProductEmbeddingJob>(job => job.WithIdentity(ProductEmbeddingJob.Key));
            quartz.AddTrigger(trigger => trigger.WithIdentity("product-embeddings", "workflows").ForJob(ProductEmbeddingJob.Key).StartNow()
                .WithSchedule(SimpleScheduleBuilder.Create().WithInterval(recommendations.EmbedInterval).RepeatForever()
                    .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));
        });
    }

    /// <summary>
    /// Quartz on a clustered AdoJobStore in workflowsdb (it creates its qrtz_* tables when missing), for recurring work
    /// that one node of the cluster must run at a time. Due steps are not among it: <see cref="DueStepsPoller"/> fires
    /// them on every node (README, "Design notes").
    /// </summary>
    private static void AddQuartzCluster(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString("workflowsdb")
            ?? throw new InvalidOperationException("ConnectionStrings:workflowsdb is not set.");

        builder.Services.AddQuartz(quartz =>
        {
            quartz.ConfigureScheduler(options => options.InstanceName = "FlexyPe.Workflows");
            quartz.UsePersistentStore(store =>
            {
                store.UsePostgres(connectionString);
                store.UseClustering(cluster => cluster.CheckinInterval = TimeSpan.FromSeconds(5));
                store.ProvisionSchema();
            });
        });
        builder.Services.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
    }

}
