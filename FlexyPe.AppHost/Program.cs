using FlexyPe.AppHost;
using FlexyPe.AppHost.Infrastructure;

var builder = DistributedApplication.CreateBuilder(args);

// Secrets: generated on first run and kept in the AppHost's user secrets; set your own with
// `dotnet user-secrets set Parameters:flexype-webhook-secret <value> --project FlexyPe.AppHost`.
var webhookSecret = builder.AddParameter("flexype-webhook-secret", SecretDefault(), secret: true, persist: true);
var adminApiKey = builder.AddParameter("admin-api-key", SecretDefault(), secret: true, persist: true);

var infrastructure = builder.AddRecoveryInfrastructure();

var notifier = builder.AddProject<Projects.FlexyPe_Notifier>("notifier")
    .WithReference(infrastructure.NotifierDb).WaitFor(infrastructure.NotifierDb)
    .WithReference(infrastructure.Mail, "smtp").WaitFor(infrastructure.Mail)
    .WithEnvironment("Admin__ApiKey", adminApiKey)
    .WithSettingsFrom(builder.Configuration, "Notifier");

var workflows = builder.AddProject<Projects.FlexyPe_Workflows>("workflows")
    .WithReference(infrastructure.WorkflowsDb).WaitFor(infrastructure.WorkflowsDb)
    .WithReference(infrastructure.Redis).WaitFor(infrastructure.Redis)
    .WithReference(notifier)
    .WithEnvironment("Admin__ApiKey", adminApiKey)
    .WithSettingsFrom(builder.Configuration, "Workflows");
// Several Workflows nodes share one clustered Quartz store (`--Workflows:Replicas=2`).
if (int.TryParse(builder.Configuration["Workflows:Replicas"], out var workflowsReplicas) && workflowsReplicas > 1)
{
    workflows.WithReplicas(workflowsReplicas);
}

builder.AddProject<Projects.FlexyPe_Ingest>("ingest")
    .WithReference(infrastructure.IngestDb).WaitFor(infrastructure.IngestDb)
    .WithReference(infrastructure.Redis).WaitFor(infrastructure.Redis)
    .WithReference(workflows)
    .WithEnvironment("Ingest__WebhookSecrets__0", webhookSecret)
    .WithEnvironment("Admin__ApiKey", adminApiKey)
    .WithSettingsFrom(builder.Configuration, "Ingest");

builder.Build().Run();

static GenerateParameterDefault SecretDefault() => new() { MinLength = 32, Special = false };
