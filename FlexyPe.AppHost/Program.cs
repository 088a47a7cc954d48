using FlexyPe.AppHost;
using FlexyPe.AppHost.Infrastructure;
using Microsoft.Extensions.Configuration;

var builder = DistributedApplication.CreateBuilder(args);

// Secrets: generated on first run and kept in the AppHost's user secrets; set your own with
// `dotnet user-secrets set Parameters:flexype-webhook-secret <value> --project FlexyPe.AppHost`. azd asks for them.
var webhookSecret = builder.AddParameter("flexype-webhook-secret", SecretDefault(), secret: true, persist: true);
var adminApiKey = builder.AddParameter("admin-api-key", SecretDefault(), secret: true, persist: true);

// Postgres (a database per service), Redis and the SMTP server: development parts under `dotnet run`, none published.
if (builder.TryAddRecoveryInfrastructure() is not { } infrastructure)
{
    return 1;
}

// Public: shoppers' unsubscribe and click links. Its operator and /internal routes stay behind the admin key.
var notifier = builder.AddProject<Projects.FlexyPe_Notifier>("notifier")
    .WithReference(infrastructure.NotifierDb).WaitFor(infrastructure.NotifierDb)
    .WithReference(infrastructure.Smtp, "smtp").WaitFor(infrastructure.Smtp)
    .WithEnvironment("Admin__ApiKey", adminApiKey)
    .WithPublicEndpoint()
    .WithPublicUrlAs("Notifier:PublicBaseUrl")
    .WithSettingsFrom(builder.Configuration, "Notifier")
    .WithHttpHealthCheck("/health");

// Internal only: nothing outside the deployment calls Workflows.
var workflows = builder.AddProject<Projects.FlexyPe_Workflows>("workflows")
    .WithReference(infrastructure.WorkflowsDb).WaitFor(infrastructure.WorkflowsDb)
    .WithReference(notifier)
    .WithEnvironment("Admin__ApiKey", adminApiKey)
    .WithSettingsFrom(builder.Configuration, "Workflows")
    .WithHttpHealthCheck("/health");
// Several Workflows nodes share one clustered Quartz store (`--Workflows:Replicas=2`).
if (int.TryParse(builder.Configuration["Workflows:Replicas"], out var workflowsReplicas) && workflowsReplicas > 1)
{
    workflows.WithReplicas(workflowsReplicas);
}
// AI assistance is optional: an `ai` connection string (Endpoint=…;Key=…;Model=…) is referenced only when configured.
if (!string.IsNullOrEmpty(builder.Configuration.GetConnectionString("ai")))
{
    workflows.WithReference(builder.AddConnectionString("ai"));
}

// Notifier reports delivery events back to Workflows (a discovery reference both ways; nothing waits on it).
notifier.WithReference(workflows);

// Public: the webhook endpoint FlexyPe posts to.
var ingest = builder.AddProject<Projects.FlexyPe_Ingest>("ingest")
    .WithReference(infrastructure.IngestDb).WaitFor(infrastructure.IngestDb)
    .WithReference(infrastructure.Redis).WaitFor(infrastructure.Redis)
    .WithReference(workflows)
    .WithEnvironment("Ingest__WebhookSecrets__0", webhookSecret)
    .WithEnvironment("Admin__ApiKey", adminApiKey)
    .WithPublicEndpoint()
    .WithSettingsFrom(builder.Configuration, "Ingest")
    .WithHttpHealthCheck("/health")
    .WithSendSampleJourneyCommand(webhookSecret);

// Public: the marketers' console (http://localhost:5000): accounts in consoledb, the services through their APIs. The
// admin key stays on its server; the first admin signs up with it once.
builder.AddProject<Projects.FlexyPe_Console>("console")
    .WithReference(infrastructure.ConsoleDb).WaitFor(infrastructure.ConsoleDb)
    .WithReference(ingest)
    .WithReference(workflows)
    .WithReference(notifier)
    .WithEnvironment("Admin__ApiKey", adminApiKey)
    .WithPublicEndpoint()
    .WithHttpHealthCheck("/health");

// Under `dotnet run`, Aspire has every service export its metrics to the dashboard each second
// (OTEL_METRIC_EXPORT_INTERVAL=1000). With nothing else going on, that export (collect every instrument, send it, the
// dashboard takes it in) is a steady cost: every 5 s instead took about a quarter off an idle stack's CPU, most of it
// the dashboard's (bench/idle.sh). Every 5 s still draws the dashboard's graphs; traces and logs keep their 1 s. A
// deployed service keeps the exporter's own default (60 s).
if (builder.ExecutionContext.IsRunMode)
{
    foreach (var project in builder.Resources.OfType<ProjectResource>().ToList())
    {
        builder.CreateResourceBuilder(project).WithEnvironment("OTEL_METRIC_EXPORT_INTERVAL", "5000");
    }
}

// A service is healthy once its /health answers 200: migrated, and its database, Redis or SMTP server reachable.
builder.Build().Run();
return 0;

static GenerateParameterDefault SecretDefault() => new() { MinLength = 32, Special = false };
