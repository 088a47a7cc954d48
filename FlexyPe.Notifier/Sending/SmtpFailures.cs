using System.Net.Sockets;
using FlexyPe.Notifier.Smtp;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace FlexyPe.Notifier.Sending;

/// <summary>Which SMTP failures are worth retrying, and what to record about them.</summary>
public static class SmtpFailures
{
    /// <summary>4xx replies and a server that cannot be reached (yet): the same message may go through later.</summary>
    public static bool IsTransient(Exception e) => e switch
    {
        SmtpCommandException command => (int)command.StatusCode < 500,
        SmtpProtocolException or ServiceNotConnectedException or SslHandshakeException => true,
        AuthenticationException => true, // a credentials problem is fixed by configuration; keep the mail meanwhile
        IOException or SocketException or TimeoutException => true,
        _ => false,
    };

    /// <summary>A 5xx reply to RCPT: the mailbox does not exist or will never accept mail.</summary>
    public static bool IsHardBounce(Exception e)
        => e is SmtpCommandException { ErrorCode: SmtpErrorCode.RecipientNotAccepted } command && (int)command.StatusCode >= 500;

    /// <summary>The server's reply ("550 5.1.1 No such user"), or the kind of failure when there was no reply.</summary>
    public static string Describe(Exception e) => e switch
    {
        SmtpCommandException command => $"{(int)command.StatusCode} {command.Message}",
        SocketException socket => $"connection failed: {socket.SocketErrorCode}",
        SslHandshakeException { ServerCertificate: { } certificate } =>
            $"TLS failed: the server's certificate is not trusted (SHA-256 thumbprint {TrustedCertificates.Thumbprint(certificate)}; " +
            $"a private relay's own certificate can be trusted with {TrustedCertificates.Setting})",
        _ => $"{e.GetType().Name}: {e.Message}",
    };
}
