using System.Collections.Concurrent;
using System.Net.Security;
using System.Net.Sockets;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;

namespace FlexyPe.Notifier.Smtp;

/// <summary>
/// Open, authenticated SMTP connections kept for reuse: a message borrows one, sends, and gives it back, so
/// thousands of messages go over a handful of connections (providers throttle new connections, and a TLS
/// handshake per message is slow). At most <see cref="SmtpPoolOptions.PoolSize"/> are open at once.
/// </summary>
public sealed class SmtpConnectionPool(
    SmtpEndpoint endpoint, IOptions<NotifierOptions> options, TimeProvider time, ILogger<SmtpConnectionPool> logger) : IAsyncDisposable
{
    /// <summary>How long connecting may take, and then each command (MailKit's <c>Timeout</c>).</summary>
    private const int TimeoutMilliseconds = 30_000;

    private readonly SemaphoreSlim slots = new(options.Value.Smtp.PoolSize, options.Value.Smtp.PoolSize);
    private readonly ConcurrentBag<(SmtpClient Client, DateTimeOffset IdleSince)> idle = [];
    private readonly RemoteCertificateValidationCallback? certificateValidation =
        TrustedCertificates.Validation(options.Value.Smtp.TrustedCertificateThumbprints, endpoint, logger);

    public async Task<SmtpClient> RentAsync(CancellationToken cancellationToken)
    {
        await slots.WaitAsync(cancellationToken);
        try
        {
            while (idle.TryTake(out var entry))
            {
                if (entry.Client.IsConnected && time.GetUtcNow() - entry.IdleSince < options.Value.Smtp.IdleTimeout)
                {
                    return entry.Client;
                }
                await CloseAsync(entry.Client);
            }
            return await ConnectAsync(cancellationToken);
        }
        catch
        {
            slots.Release();
            throw;
        }
    }

    /// <summary>
    /// Gives a connection back: kept when it is still good, closed after an error or when
    /// <see cref="SmtpPoolOptions.ReuseConnections"/> is off.
    /// </summary>
    public async Task ReturnAsync(SmtpClient client, bool reusable)
    {
        try
        {
            if (reusable && options.Value.Smtp.ReuseConnections && client.IsConnected)
            {
                idle.Add((client, time.GetUtcNow()));
            }
            else
            {
                await CloseAsync(client);
            }
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task<SmtpClient> ConnectAsync(CancellationToken cancellationToken)
    {
        var client = new SmtpClient { Timeout = TimeoutMilliseconds, ServerCertificateValidationCallback = certificateValidation };
        // Nagle's algorithm off. MailKit writes a message in 4 KB pieces; with it on, a piece after the first waits for
        // the server to acknowledge the one before, and servers delay that acknowledgement (40 ms on Linux): 40 ms of
        // every message past 4 KB, whatever the server. MailKit has no setting for it, so the socket is ours, which
        // MailKit then owns (bench/README, "Notifier's 40 ms a message").
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using (var connecting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                connecting.CancelAfter(TimeoutMilliseconds);
                try
                {
                    await socket.ConnectAsync(endpoint.Host, endpoint.Port, connecting.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // As MailKit's own connect says it: a server that does not answer is a transient failure.
                    throw new TimeoutException($"Connecting to {endpoint} took longer than {TimeoutMilliseconds} ms");
                }
            }
            await client.ConnectAsync(socket, endpoint.Host, endpoint.Port, endpoint.Security, cancellationToken);
            if (endpoint.UserName is not null)
            {
                await client.AuthenticateAsync(endpoint.UserName, endpoint.Password ?? "", cancellationToken);
            }
            logger.LogInformation("Opened an SMTP connection to {SmtpServer}", endpoint);
            return client;
        }
        catch
        {
            client.Dispose();
            socket.Dispose();
            throw;
        }
    }

    private static async Task CloseAsync(SmtpClient client)
    {
        try
        {
            if (client.IsConnected)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await client.DisconnectAsync(quit: true, timeout.Token);
            }
        }
        catch (Exception)
        {
            // Closing a broken connection may fail; it is being thrown away either way.
        }
        finally
        {
            client.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        while (idle.TryTake(out var entry))
        {
            await CloseAsync(entry.Client);
        }
        slots.Dispose();
    }
}
