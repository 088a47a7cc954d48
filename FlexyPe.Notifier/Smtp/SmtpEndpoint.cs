using MailKit.Security;

namespace FlexyPe.Notifier.Smtp;

/// <summary>
/// Where and how to send mail, read from the <c>smtp</c> connection string:
/// <c>smtp://[user:password@]host[:port][?tls=none|starttls|auto]</c>, or <c>smtps://…</c> for implicit TLS.
/// A provider's SMTP relay (SES, SendGrid, Postmark, Mailgun) is configured by this string alone.
/// </summary>
public sealed record SmtpEndpoint(string Host, int Port, SecureSocketOptions Security, string? UserName, string? Password)
{
    public const string ConnectionName = "smtp";

    public static SmtpEndpoint Parse(string connectionString)
    {
        if (!Uri.TryCreate(connectionString, UriKind.Absolute, out var uri) || uri.Scheme is not ("smtp" or "smtps"))
        {
            throw new FormatException("The smtp connection string must look like smtp://[user:password@]host[:port][?tls=starttls].");
        }

        var implicitTls = uri.Scheme == "smtps";
        var tls = System.Web.HttpUtility.ParseQueryString(uri.Query)["tls"]?.ToLowerInvariant();
        var security = (implicitTls, tls) switch
        {
            (true, _) => SecureSocketOptions.SslOnConnect,
            (false, "starttls" or "required") => SecureSocketOptions.StartTls,
            (false, "auto" or "optional") => SecureSocketOptions.StartTlsWhenAvailable,
            (false, null or "" or "none") => SecureSocketOptions.None,
            _ => throw new FormatException($"Unknown tls mode '{tls}' in the smtp connection string; use none, starttls or auto."),
        };
        var port = uri.IsDefaultPort || uri.Port <= 0 ? (implicitTls ? 465 : 25) : uri.Port;

        string? user = null, password = null;
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var parts = uri.UserInfo.Split(':', 2);
            user = Uri.UnescapeDataString(parts[0]);
            password = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : null;
        }

        return new SmtpEndpoint(uri.Host, port, security, user, password);
    }

    /// <summary>Host and port only: safe for logs and telemetry.</summary>
    public override string ToString() => $"{Host}:{Port} ({Security})";
}
