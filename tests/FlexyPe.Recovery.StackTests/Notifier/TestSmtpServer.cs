using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MimeKit;
using SmtpServer;
using SmtpServer.Authentication;
using SmtpServer.ComponentModel;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace FlexyPe.Recovery.StackTests.Notifier;

/// <summary>
/// A real SMTP server in this process (the SmtpServer library) that keeps what it receives, counts the connections
/// made to it, and answers 550 for the recipients it is told to reject. Given a <see cref="Relay"/>, it behaves like
/// a provider's relay: STARTTLS with that certificate, and AUTH (only under TLS) before any mail.
/// </summary>
internal sealed class TestSmtpServer : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly SmtpServer.SmtpServer server;
    private readonly Task running;
    private int sessions;

    public int Port { get; }
    public ConcurrentQueue<MimeMessage> Messages { get; } = new();
    public ConcurrentDictionary<string, bool> Rejected { get; } = new(StringComparer.OrdinalIgnoreCase);

    private readonly ConcurrentDictionary<MimeMessage, (bool Tls, string? User)> sessionOf = new();

    /// <summary>Recipients answered "451 4.7.1 Try again later" this many more times.</summary>
    public ConcurrentDictionary<string, int> Deferred { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// How many SMTP sessions were held with this server: connections that sent at least one command. The readiness
    /// probe's bare connection is not one (counting at creation did count it whenever the server saw it late).
    /// </summary>
    public int Sessions => Volatile.Read(ref sessions);

    /// <summary>How long the server takes to accept each message (so concurrent senders overlap).</summary>
    public TimeSpan SaveDelay { get; set; }

    /// <summary>When set, the server accepts each message's data only once this completes (a test's gate).</summary>
    public Task? AcceptWhen { get; set; }

    /// <summary>Completes when the server starts taking the data of its first message (then waits <see cref="SaveDelay"/>).</summary>
    public Task Receiving => receiving.Task;

    private readonly TaskCompletionSource receiving = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string ConnectionString => ConnectionStringFor(Port);

    public static string ConnectionStringFor(int port) => $"smtp://127.0.0.1:{port}";

    /// <summary>STARTTLS with <paramref name="Certificate"/>, and AUTH as <paramref name="UserName"/> required.</summary>
    public sealed record Relay(X509Certificate2 Certificate, string UserName, string Password);

    private TestSmtpServer(int port, Relay? relay)
    {
        Port = port;
        var options = new SmtpServerOptionsBuilder().ServerName("localhost").Endpoint(e =>
        {
            e.Endpoint(new IPEndPoint(IPAddress.Loopback, port));
            if (relay is not null)
            {
                e.Certificate(relay.Certificate).AllowUnsecureAuthentication(false).AuthenticationRequired(true);
            }
        }).Build();
        var services = new ServiceProvider();
        services.Add(new Store(this));
        services.Add(new Filter(this));
        if (relay is not null)
        {
            services.Add(new DelegatingUserAuthenticator((user, password) => user == relay.UserName && password == relay.Password));
        }
        server = new SmtpServer.SmtpServer(options, services);
        server.SessionCreated += (_, created) =>
        {
            var counted = 0;
            created.Context.CommandExecuting += (_, _) =>
            {
                if (Interlocked.Exchange(ref counted, 1) == 0)
                {
                    Interlocked.Increment(ref sessions);
                }
            };
        };
        running = server.StartAsync(stop.Token);
    }

    public static async Task<TestSmtpServer> StartAsync(int? port = null, Relay? relay = null)
    {
        var started = new TestSmtpServer(port ?? FreePort(), relay);
        // Answers once its greeting arrives.
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, started.Port);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }, "the test SMTP server to listen");
        return started;
    }

    public static int FreePort() => FreePorts.Next();

    /// <summary>A self-signed RSA 2048 certificate with its private key, usable by a TLS server.</summary>
    public static X509Certificate2 SelfSignedCertificate(string host = "relay.test")
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={host}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        // On Linux SslStream serves only a certificate whose key came in with it (PFX), not an ephemeral one.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    /// <summary>Whether the session that delivered a received message was under TLS, and the user it authenticated as.</summary>
    public (bool Tls, string? User) SessionOf(MimeMessage received) => sessionOf[received];

    public IReadOnlyList<MimeMessage> MessagesTo(string address)
        => Messages.Where(m => m.To.Mailboxes.Any(t => string.Equals(t.Address, address, StringComparison.OrdinalIgnoreCase))).ToList();

    public async ValueTask DisposeAsync()
    {
        server.Shutdown();
        await stop.CancelAsync();
        try
        {
            await running;
        }
        catch (OperationCanceledException)
        {
        }
        stop.Dispose();
    }

    private sealed class Store(TestSmtpServer owner) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            owner.receiving.TrySetResult();
            if (owner.SaveDelay > TimeSpan.Zero)
            {
                await Task.Delay(owner.SaveDelay, cancellationToken);
            }
            if (owner.AcceptWhen is { } gate)
            {
                await gate.WaitAsync(cancellationToken);
            }
            var message = await MimeMessage.LoadAsync(new MemoryStream(buffer.ToArray()), cancellationToken);
            owner.sessionOf[message] = (context.Pipe.IsSecure, context.Authentication.IsAuthenticated ? context.Authentication.User : null);
            owner.Messages.Enqueue(message);
            return SmtpResponse.Ok;
        }
    }

    private sealed class Filter(TestSmtpServer owner) : MailboxFilter
    {
        public override Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken)
        {
            var address = to.AsAddress();
            if (owner.Deferred.TryGetValue(address, out var left) && left > 0)
            {
                owner.Deferred[address] = left - 1;
                throw new SmtpResponseException(new SmtpResponse(SmtpReplyCode.Aborted, "4.7.1 Try again later"));
            }
            return Task.FromResult(!owner.Rejected.ContainsKey(address));
        }
    }
}
