using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FlexyPe.Notifier.Smtp;

/// <summary>
/// A private relay's certificate (self-signed or from a private CA), trusted by its SHA-256 thumbprint in
/// <see cref="SmtpPoolOptions.TrustedCertificateThumbprints"/> whatever its chain and host name say. Every other
/// certificate still has to pass the normal validation.
/// </summary>
public static class TrustedCertificates
{
    public const string Setting = "Notifier:Smtp:TrustedCertificateThumbprints";

    /// <summary>Upper-case hex, the form the setting is compared in.</summary>
    public static string Thumbprint(X509Certificate certificate) => certificate.GetCertHashString(HashAlgorithmName.SHA256);

    /// <summary>
    /// Upper-case hex without separators (so <c>openssl x509 -fingerprint -sha256</c> output can be pasted), or null
    /// when it is not 64 hex digits: a SHA-1 thumbprint is refused rather than silently never matching.
    /// </summary>
    public static string? Normalize(string thumbprint)
    {
        var hex = string.Concat(thumbprint.Where(c => c is not (':' or ' ' or '-'))).ToUpperInvariant();
        return hex.Length == 64 && hex.All(char.IsAsciiHexDigit) ? hex : null;
    }

    /// <summary>The validation for MailKit's <c>ServerCertificateValidationCallback</c>; null (MailKit's own) when none are listed.</summary>
    public static RemoteCertificateValidationCallback? Validation(IEnumerable<string> thumbprints, SmtpEndpoint endpoint, ILogger logger)
    {
        var trusted = thumbprints.Select(Normalize).OfType<string>().ToHashSet(StringComparer.Ordinal);
        if (trusted.Count == 0)
        {
            return null;
        }
        return (_, certificate, _, errors) =>
        {
            if (errors == SslPolicyErrors.None)
            {
                return true;
            }
            if (certificate is null)
            {
                return false;
            }
            var thumbprint = Thumbprint(certificate);
            if (trusted.Contains(thumbprint))
            {
                logger.LogDebug("Trusted the certificate of SMTP server {SmtpServer} by its listed thumbprint {Thumbprint} ({SslPolicyErrors})",
                    endpoint, thumbprint, errors);
                return true;
            }
            logger.LogWarning("SMTP server {SmtpServer} presented a certificate that does not validate ({SslPolicyErrors}) and whose SHA-256 thumbprint {Thumbprint} is not in {Setting}",
                endpoint, errors, thumbprint, Setting);
            return false;
        };
    }
}
