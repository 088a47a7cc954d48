using System.Net;
using System.Text;
using FlexyPe.Recovery.StackTests.Stack;
using Microsoft.Extensions.DependencyInjection;

namespace FlexyPe.Recovery.StackTests.Ingest;

/// <summary>Guarantee 6, and no PII in logs: after deliveries good and bad, no service log holds a secret, email or phone.</summary>
[Collection(RecoveryStackCollection.Name)]
public sealed class SecretHygieneTests(RecoveryStack stack)
{
    [Fact]
    public async Task No_service_log_contains_a_secret_or_the_shoppers_contact_details()
    {
        using var ingest = new IngestClient(stack);
        var wrongSecret = $"wrong-{Guid.NewGuid():N}";
        var email = $"private-{Guid.NewGuid():N}@example.com";
        const string phoneDigits = "9876501234";

        var good = IngestClient.NewEventId();
        var body = IngestClient.AcrBody(good, email).Replace("9876543210", phoneDigits, StringComparison.Ordinal);
        using (var stored = await ingest.DeliverAsync(body, good))
        {
            Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        }
        using (var refused = await ingest.DeliverAsync(body, IngestClient.NewEventId(), secret: wrongSecret, clientAddress: "192.0.2.10"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }
        using (var malformed = await ingest.DeliverAsync("{ \"email\": \"" + email + "\"", IngestClient.NewEventId()))
        {
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        }
        using (var adminRefused = await ingest.Admin(HttpMethod.Get, "/api/events", key: wrongSecret))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, adminRefused.StatusCode);
        }

        // Let the hand-off to Workflows happen too, so its logs are part of what is checked.
        await Eventually.TrueAsync(async () =>
            (await ingest.GetEventAsync(good))!.Value.GetProperty("hand_offs")[0].GetProperty("delivered_at").ValueKind != System.Text.Json.JsonValueKind.Null,
            "the hand-off to Workflows", TimeSpan.FromSeconds(30));

        var logs = await AllLogsAsync();
        // The logs are really there: the refused and the rejected deliveries were logged.
        Assert.Contains("Refused a delivery", logs, StringComparison.Ordinal);
        Assert.Contains("malformed_json", logs, StringComparison.Ordinal);
        foreach (var (what, value) in new[]
        {
            ("webhook secret", stack.WebhookSecret),
            ("second webhook secret", stack.PreviousWebhookSecret),
            ("admin key", stack.AdminApiKey),
            ("presented wrong secret", wrongSecret),
            ("shopper email", email),
            ("shopper phone", phoneDigits),
        })
        {
            Assert.False(logs.Contains(value, StringComparison.OrdinalIgnoreCase), $"a service log contains the {what}");
        }
    }

    private async Task<string> AllLogsAsync()
    {
        var loggerService = stack.App.Services.GetRequiredService<ResourceLoggerService>();
        var text = new StringBuilder();
        foreach (var resource in RecoveryStack.Services)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            // Console logs are kept per running instance (e.g. "ingest-abcd1234"), not per resource name.
            var instance = (await stack.App.ResourceNotifications.WaitForResourceHealthyAsync(resource, cts.Token)).ResourceId;
            try
            {
                await foreach (var batch in loggerService.WatchAsync(instance).WithCancellation(cts.Token))
                {
                    foreach (var line in batch)
                    {
                        text.AppendLine(line.Content);
                    }
                    if (batch.Count == 0)
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Watching never ends by itself: the backlog has been read by now.
            }
        }
        return text.ToString();
    }
}
