using FlexyPe.Simulator.Delivery;
using FlexyPe.Simulator.Generation;
using FlexyPe.Simulator.Reporting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace FlexyPe.AppHost;

/// <summary>
/// The dashboard's "Send sample journey" on Ingest: one abandoned checkout per payload version (2026-05, 2025-09,
/// legacy), made and delivered by tools/FlexyPe.Simulator with the webhook secret, as FlexyPe would send them.
/// </summary>
internal static class SampleJourneyCommand
{
    public const string Name = "send-sample-journey";

    public static IResourceBuilder<ProjectResource> WithSendSampleJourneyCommand(
        this IResourceBuilder<ProjectResource> ingest, IResourceBuilder<ParameterResource> webhookSecret) =>
        ingest.WithCommand(Name, "Send sample journey", async context =>
        {
            var secret = await webhookSecret.Resource.GetValueAsync(context.CancellationToken);
            if (string.IsNullOrEmpty(secret))
            {
                return CommandResults.Failure("The flexype-webhook-secret parameter has no value.");
            }

            var runId = Guid.NewGuid().ToString("N")[..8];
            var journeys = PayloadVersions.All.Select(version => CheckoutJourney(version, runId)).ToList();
            var options = new DeliveryOptions
            {
                Target = new Uri(new Uri(ingest.GetEndpoint("http").Url), "/webhooks/flexype"),
                Secret = secret,
                // FlexyPe's 1, 5, 15 minutes as 60, 300, 900 ms: a command should not wait 21 minutes.
                RetryScale = 0.001,
            };
            using var http = WebhookSender.CreateClient(options.Concurrency);
            var records = await JourneyRunner.RunAsync(journeys, new WebhookSender(http, options, new DeliveryCounters()), context.CancellationToken);
            var summary = SimulationReport.Summarize(records);

            var message = $"Sent {summary.Events} events (ids evt_{runId}_…), {summary.Acknowledged} acknowledged, {summary.Failed} failed.";
            context.Logger.LogInformation("Send sample journey: {Message}", message);
            return summary.Failed == 0 ? CommandResults.Success(message) : CommandResults.Failure(message);
        }, new CommandOptions
        {
            Description = "Sends one abandoned checkout in each payload version (2026-05, 2025-09, legacy) through the FlexyPe simulator.",
            IconName = "Send",
            UpdateState = state => state.ResourceSnapshot.HealthStatus == HealthStatus.Healthy
                ? ResourceCommandState.Enabled
                : ResourceCommandState.Disabled,
        });

    private static Journey CheckoutJourney(string version, string runId)
    {
        var generator = new JourneyGenerator(new GeneratorOptions
        {
            Seed = Random.Shared.Next(),
            Version = version,
            RunId = $"{runId}{version.Replace("-", "", StringComparison.Ordinal)}",
            Start = DateTimeOffset.UtcNow,
        });
        // Most journeys are checkouts; a few tries always find one.
        for (var i = 0; i < 100; i++)
        {
            if (generator.Next() is { Kind: JourneyKind.Checkout } journey)
            {
                return journey;
            }
        }
        throw new InvalidOperationException("The simulator made no checkout journey.");
    }
}
