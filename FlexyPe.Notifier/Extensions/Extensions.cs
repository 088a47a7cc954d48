using System.Text.Json;
using FlexyPe.Notifier.Composing;
using FlexyPe.Notifier.DeliveryEvents;
using FlexyPe.Notifier.Infrastructure;
using FlexyPe.Notifier.Sending;
using FlexyPe.Notifier.Smtp;
using FlexyPe.Notifier.Unsubscribe;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

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
            .Bind(builder.Configuration.GetSection(NotifierOptions.SectionName))
            .Validate(o => o.Smtp.TrustedCertificateThumbprints.All(t => TrustedCertificates.Normalize(t) is not null),
                $"{TrustedCertificates.Setting} takes SHA-256 thumbprints: 64 hex digits each (colons and spaces allowed).")
            .ValidateOnStart();
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.DictionaryKeyPolicy = null;
        });

        // Unsubscribe links are signed with keys every replica shares.
        builder.Services.AddDataProtection()
            .SetApplicationName("FlexyPe.Notifier")
            .PersistKeysToDbContext<NotifierDbContext>();
        builder.Services.AddSingleton<UnsubscribeTokens>();

        // Smtp: where to send, and the reused connections.
        builder.Services.AddSingleton(sp => SmtpEndpoint.Parse(
            sp.GetRequiredService<IConfiguration>().GetConnectionString(SmtpEndpoint.ConnectionName)
            ?? throw new InvalidOperationException("ConnectionStrings:smtp is not set.")));
        builder.Services.AddSingleton<SmtpConnectionPool>();
        builder.Services.AddHealthChecks().AddCheck<SmtpHealthCheck>("smtp");

        // Composing and sending.
        builder.Services.AddSingleton<MessageComposer>();
        builder.Services.AddSingleton<NotifierTelemetry>();
        builder.Services.AddHostedService<SendingWorker>();

        // Delivery events back to Workflows.
        builder.Services.AddHttpClient(DeliveryEventRelay.HttpClientName);
        builder.Services.AddHostedService<DeliveryEventRelay>();

        builder.Services.AddOpenApi();
    }
}
