using MailKit.Net.Smtp;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace FlexyPe.Notifier.Smtp;

/// <summary>Healthy when the SMTP server greets us and answers NOOP.</summary>
public sealed class SmtpHealthCheck(SmtpEndpoint endpoint, IOptions<NotifierOptions> options, ILogger<SmtpHealthCheck> logger) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var client = new SmtpClient
            {
                ServerCertificateValidationCallback = TrustedCertificates.Validation(options.Value.Smtp.TrustedCertificateThumbprints, endpoint, logger),
            };
            await client.ConnectAsync(endpoint.Host, endpoint.Port, endpoint.Security, cancellationToken);
            await client.NoOpAsync(cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"SMTP server {endpoint} does not answer: {e.GetType().Name}");
        }
    }
}
