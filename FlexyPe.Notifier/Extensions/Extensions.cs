using FlexyPe.Notifier.Clicks;
using FlexyPe.Notifier.Composing;
using FlexyPe.Notifier.DeliveryEvents;
using FlexyPe.Notifier.Dkim;
using FlexyPe.Notifier.Infrastructure;
using FlexyPe.Notifier.Sending;
using FlexyPe.Notifier.Smtp;
using FlexyPe.Notifier.Telemetry;
using FlexyPe.Notifier.Unsubscribe;
using FlexyPe.Outbox;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FlexyPe.Notifier.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        // No automatic retries: a retried unit of work could send a message twice. The loops retry on their own.
        builder.AddNpgsqlDbContext<NotifierDbContext>("notifierdb",
            settings => settings.DisableRetry = true,
            options => options.UseSnakeCaseNamingConvention());
        builder.Services.AddMigration<NotifierDbContext>(UnsubscribeTokens.EnsureKeyAsync);
        builder.Services.AddOptions<NotifierOptions>()
            .BindConfiguration(NotifierOptions.SectionName)
            .Validate(o => Uri.TryCreate(o.PublicBaseUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https",
                "Notifier:PublicBaseUrl must be an absolute http(s) URL: the base of the unsubscribe and click links in emails.")
            .Validate(o => MimeKit.MailboxAddress.TryParse(o.DefaultFrom, out _), "Notifier:DefaultFrom must be a mailbox, e.g. 'Store <recovery@store.com>'.")
            .Validate(o => o.Smtp.TrustedCertificateThumbprints.All(t => TrustedCertificates.Normalize(t) is not null),
                $"{TrustedCertificates.Setting} takes SHA-256 thumbprints: 64 hex digits each (colons and spaces allowed).")
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<NotifierOptions>, NotifierOptionsValidator>();
        builder.Services.AddSingleton<IValidateOptions<NotifierOptions>, DkimOptionsValidator>();

        // Unsubscribe links are signed with keys every replica shares.
        builder.Services.AddDataProtection()
            .SetApplicationName("FlexyPe.Notifier")
            .PersistKeysToDbContext<NotifierDbContext>();
        builder.Services.AddSingleton<UnsubscribeTokens>();
        builder.Services.AddSingleton<ClickTokens>();

        builder.Services.AddSingleton(sp => SmtpEndpoint.Parse(
            sp.GetRequiredService<IConfiguration>().GetConnectionString(SmtpEndpoint.ConnectionName)
            ?? throw new InvalidOperationException("ConnectionStrings:smtp is not set.")));
        builder.Services.AddSingleton<SmtpConnectionPool>();
        builder.Services.AddHealthChecks().AddCheck<SmtpHealthCheck>("smtp");

        builder.Services.AddSingleton<DkimSigning>();
        builder.Services.AddSingleton<MessageComposer>();
        builder.Services.AddSingleton<NotifierTelemetry>();
        builder.Services.AddWakeUp(SendingWorker.Channel);
        builder.Services.AddHostedService<SendingWorker>();

        // Delivery events go one after another, in the order they happened: a claim of several (a relay that fell
        // behind) sent four at once, and Workflows could hear "suppressed" before the "unsubscribed" that caused it.
        builder.AddOutbox<DeliveryEventsToWorkflows>("notifierdb", NotifierOptions.SectionName + ":Outbox",
                outbox =>
                {
                    outbox.Concurrency = 1;
                    outbox.MaxRetryDelay = TimeSpan.FromMinutes(5);
                })
            .AddAdminApiKey();

        builder.Services.AddOpenApi();
    }
}
