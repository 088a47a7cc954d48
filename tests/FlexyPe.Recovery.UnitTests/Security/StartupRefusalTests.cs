using FlexyPe.Ingest;
using FlexyPe.Notifier;
using FlexyPe.Workflows;
using Microsoft.Extensions.Options;

namespace FlexyPe.Recovery.UnitTests.Security;

/// <summary>
/// A service that could not do its job does not start: without the admin key it could neither call the others nor be
/// called (it would send internal calls with no key at all), and Ingest without a webhook secret would refuse every
/// delivery. Each says which setting is missing and where it comes from.
/// </summary>
public sealed class StartupRefusalTests
{
    private static readonly Dictionary<string, string> NoAdminKey = new() { ["Admin:ApiKey"] = "" };

    [Fact]
    public void Ingest_without_the_admin_key_does_not_start_and_names_the_setting()
        => AssertRefused(new ServiceHost<IngestOptions>(NoAdminKey), "Admin:ApiKey is not set");

    [Fact]
    public void Workflows_without_the_admin_key_does_not_start_and_names_the_setting()
        => AssertRefused(new ServiceHost<WorkflowsOptions>(NoAdminKey), "Admin:ApiKey is not set");

    [Fact]
    public void Notifier_without_the_admin_key_does_not_start_and_names_the_setting()
        => AssertRefused(new ServiceHost<NotifierOptions>(NoAdminKey), "Admin:ApiKey is not set");

    [Fact]
    public void Ingest_without_a_webhook_secret_does_not_start_and_names_the_parameter()
        => AssertRefused(new ServiceHost<IngestOptions>(new Dictionary<string, string> { ["Ingest:WebhookSecrets:0"] = " " }), "flexype-webhook-secret");

    private static void AssertRefused<T>(ServiceHost<T> service, string expected) where T : class
    {
        using (service)
        {
            var refusal = Assert.ThrowsAny<OptionsValidationException>(() => service.CreateClient());
            Assert.Contains(expected, refusal.Message, StringComparison.Ordinal);
        }
    }
}
