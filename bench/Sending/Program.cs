// Benchmark part 4: messages per second to a local SMTP server through Notifier's own SmtpConnectionPool, with
// connections reused (Notifier:Smtp:ReuseConnections=true, the default) and with a new connection per message
// (false). Two setups, each against its own in-process SMTP sink (SmtpSink.cs, on 127.0.0.1):
//   plain     no TLS, no AUTH: a new connection costs a TCP handshake and a few round trips;
//   tls_auth  STARTTLS with a self-signed RSA 2048 certificate (trusted through Notifier:Smtp:TrustedCertificateThumbprints)
//             and AUTH, as every provider's submission port: what a pooled connection saves on each message.
// Per setup, the same message, count and concurrency (Notifier's Sending:Workers and Smtp:PoolSize defaults, 4), in
// the order pooled, per-connection, per-connection, pooled after a warm-up of each.
//
//   dotnet bench/Sending/bin/Release/net10.0/Sending.dll --count 2000 --out sending.json
//   dotnet bench/Sending/bin/Release/net10.0/Sending.dll --sink-only 2526      the plain sink alone (bench/deployed.sh)
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using FlexyPe.Notifier;
using FlexyPe.Notifier.Smtp;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;
using SendingBench;

if (Arg("--sink-only", 0) is > 0 and var sinkPort)
{
    // The plain sink alone, until stopped: the SMTP server of bench/deployed.sh's Notifier.
    using var only = new SmtpSink(sinkPort);
    await only.RunAsync();
    return 0;
}

var count = Arg("--count", 2000);
var workers = Arg("--workers", 4);
var warmup = Arg("--warmup", 200);
var outPath = args.SkipWhile(a => a != "--out").Skip(1).FirstOrDefault();

using var certificate = SelfSignedCertificate();
var (port, relayPort) = (FreePort(), FreePort());
using var sink = new SmtpSink(port);
using var relay = new SmtpSink(relayPort, new SmtpSink.Relay(certificate, "bench-user", "bench-password"));
var running = new[] { sink.RunAsync(), relay.RunAsync() };

var rounds = await RoundsAsync(sink, $"smtp://127.0.0.1:{port}", trusted: []);
var tlsRounds = await RoundsAsync(relay, $"smtp://bench-user:bench-password@127.0.0.1:{relayPort}?tls=starttls",
    trusted: [certificate.GetCertHashString(HashAlgorithmName.SHA256)]);

// Diagnostic, not the goal figure: the same two modes with MailKit directly on sockets with Nagle's algorithm off
// (TCP_NODELAY), to show whether the per-message time is the connection or a TCP stall between small writes.
foreach (var (mode, reuse) in new[] { ("nodelay_pooled", true), ("nodelay_per_connection", false) })
{
    await NoDelayAsync(reuse, warmup);
    var clock = Stopwatch.StartNew();
    var sessionsBefore = sink.Sessions;
    await NoDelayAsync(reuse, count);
    var seconds = clock.Elapsed.TotalSeconds;
    rounds.Add(new() { ["mode"] = mode, ["messages"] = count, ["seconds"] = Math.Round(seconds, 3), ["messages_per_second"] = Math.Round(count / seconds, 1), ["connections_opened"] = sink.Sessions - sessionsBefore, ["diagnostic"] = true });
    Console.WriteLine($"{mode,-23} {count} messages in {seconds:F2} s: {count / seconds,8:F1} msg/s (diagnostic)");
}

var result = new Dictionary<string, object>
{
    ["what"] = "Notifier's SmtpConnectionPool (MailKit) to an in-process SMTP sink (bench/Sending/SmtpSink.cs: accepts every message, TCP_NODELAY) on 127.0.0.1, no TLS, no auth",
    ["workers"] = workers, ["pool_size"] = workers, ["messages_per_round"] = count, ["message_bytes"] = Message(0).ToString().Length,
    ["rounds"] = rounds,
    ["pooled_messages_per_second"] = Mps(rounds, "pooled"),
    ["per_connection_messages_per_second"] = Mps(rounds, "per_connection"),
    ["ratio"] = Ratio(rounds, "pooled", "per_connection"),
    ["diagnostic_nodelay_pooled_messages_per_second"] = Mps(rounds, "nodelay_pooled"),
    ["diagnostic_nodelay_per_connection_messages_per_second"] = Mps(rounds, "nodelay_per_connection"),
    ["diagnostic_nodelay_ratio"] = Ratio(rounds, "nodelay_pooled", "nodelay_per_connection"),
    ["tls_auth"] = new Dictionary<string, object>
    {
        ["what"] = "the same pool, workers and message to a second sink that requires STARTTLS (SslStream, self-signed RSA 2048 "
                   + "certificate, trusted through Notifier:Smtp:TrustedCertificateThumbprints) and AUTH PLAIN/LOGIN before MAIL, "
                   + "as a provider's submission port does",
        ["certificate"] = $"self-signed, RSA {certificate.PublicKey.GetRSAPublicKey()!.KeySize}, {certificate.SignatureAlgorithm.FriendlyName}",
        ["rounds"] = tlsRounds,
        ["pooled_messages_per_second"] = Mps(tlsRounds, "pooled"),
        ["per_connection_messages_per_second"] = Mps(tlsRounds, "per_connection"),
        ["ratio"] = Ratio(tlsRounds, "pooled", "per_connection"),
        ["connections_opened"] = tlsRounds.GroupBy(r => (string)r["mode"]).ToDictionary(g => g.Key, g => g.Sum(r => (int)r["connections_opened"])),
    },
};
Console.WriteLine($"pooled / per-connection: plain {result["ratio"]}, STARTTLS + AUTH {((Dictionary<string, object>)result["tls_auth"])["ratio"]}");
if (outPath is not null)
{
    await File.WriteAllTextAsync(outPath, JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
}
sink.Stop();
relay.Stop();
await Task.WhenAll(running);
return 0;

async Task<List<Dictionary<string, object>>> RoundsAsync(SmtpSink target, string connectionString, string[] trusted)
{
    var measuredRounds = new List<Dictionary<string, object>>();
    foreach (var (mode, measured) in new[] { ("pooled", false), ("per_connection", false), ("pooled", true), ("per_connection", true), ("per_connection", true), ("pooled", true) })
    {
        var n = measured ? count : warmup;
        var before = (target.Sessions, target.Messages, target.TlsSessions, target.AuthenticatedSessions);
        var seconds = await RunAsync(connectionString, trusted, reuse: mode == "pooled", n);
        if (measured)
        {
            var (opened, received) = (target.Sessions - before.Sessions, target.Messages - before.Messages);
            var (tlsSessions, authenticated) = (target.TlsSessions - before.TlsSessions, target.AuthenticatedSessions - before.AuthenticatedSessions);
            var round = new Dictionary<string, object>
            {
                ["mode"] = mode, ["messages"] = n, ["seconds"] = Math.Round(seconds, 3), ["messages_per_second"] = Math.Round(n / seconds, 1),
                ["connections_opened"] = opened, ["messages_received"] = received,
            };
            if (trusted.Length > 0)
            {
                round["tls_sessions"] = tlsSessions;
                round["authenticated_sessions"] = authenticated;
            }
            // A round that lost messages, or whose sessions skipped TLS or AUTH, did not measure its setup.
            if (received != n || (trusted.Length > 0 && (tlsSessions != opened || authenticated != opened)))
            {
                throw new InvalidOperationException($"Round {mode} did not measure its setup: {JsonSerializer.Serialize(round)}");
            }
            measuredRounds.Add(round);
            Console.WriteLine($"{(trusted.Length > 0 ? "tls_auth" : "plain"),-9}{mode,-15} {n} messages in {seconds:F2} s: {n / seconds,8:F1} msg/s, "
                              + string.Join(", ", round.Skip(4).Select(kv => $"{kv.Key} {kv.Value}")));
        }
    }
    return measuredRounds;
}

async Task<double> RunAsync(string connectionString, string[] trusted, bool reuse, int n)
{
    var options = Options.Create(new NotifierOptions { Smtp = { PoolSize = workers, ReuseConnections = reuse, TrustedCertificateThumbprints = [.. trusted] } });
    var pool = new SmtpConnectionPool(SmtpEndpoint.Parse(connectionString), options, TimeProvider.System, NullLogger<SmtpConnectionPool>.Instance);
    var next = -1;
    var clock = Stopwatch.StartNew();
    // Like Notifier's SendingWorker: each worker borrows a connection, sends one message, gives it back.
    await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < n)
        {
            var client = await pool.RentAsync(CancellationToken.None);
            await client.SendAsync(Message(i));
            await pool.ReturnAsync(client, reusable: true);
        }
    })));
    var seconds = clock.Elapsed.TotalSeconds;
    await pool.DisposeAsync();
    return seconds;
}

static double Mps(List<Dictionary<string, object>> rounds, string mode)
    => Math.Round(rounds.Where(r => (string)r["mode"] == mode).Sum(r => (int)r["messages"]) / rounds.Where(r => (string)r["mode"] == mode).Sum(r => (double)r["seconds"]), 1);

static double Ratio(List<Dictionary<string, object>> rounds, string mode, string baseline) => Math.Round(Mps(rounds, mode) / Mps(rounds, baseline), 2);

async Task NoDelayAsync(bool reuse, int n)
{
    var next = -1;
    await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
    {
        MailKit.Net.Smtp.SmtpClient? client = null;
        int i;
        while ((i = Interlocked.Increment(ref next)) < n)
        {
            if (client is null)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(IPAddress.Loopback, port);
                client = new MailKit.Net.Smtp.SmtpClient();
                await client.ConnectAsync(socket, "127.0.0.1", port, MailKit.Security.SecureSocketOptions.None);
            }
            await client.SendAsync(Message(i));
            if (!reuse)
            {
                await client.DisconnectAsync(quit: true);
                client.Dispose();
                client = null;
            }
        }
        if (client is not null)
        {
            await client.DisconnectAsync(quit: true);
            client.Dispose();
        }
    })));
}

static MimeMessage Message(int i)
{
    // About the size of a recovery email: HTML with a cart, a link and an unsubscribe footer.
    var message = new MimeMessage();
    message.From.Add(new MailboxAddress("FlexyPe Recovery", "recovery@localhost"));
    message.To.Add(new MailboxAddress("Shopper", $"shopper{i}@example.com"));
    message.Subject = "Jane, you left something in your cart";
    var html = "<html><body><h1>Your cart</h1>" + string.Concat(Enumerable.Repeat("<tr><td>Walnut Brownie</td><td>1</td><td>630</td></tr>", 40))
        + "<a href=\"https://my-store.myshopify.com/?flx_s=demo\">Return to checkout</a><p><a href=\"http://localhost:5300/unsubscribe\">Unsubscribe</a></p></body></html>";
    message.Body = new BodyBuilder { HtmlBody = html, TextBody = "Your cart is waiting." }.ToMessageBody();
    return message;
}

int Arg(string name, int fallback)
{
    var value = args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
    return value is null ? fallback : int.Parse(value);
}

static X509Certificate2 SelfSignedCertificate()
{
    // RSA 2048: the key size of the certificates providers' SMTP endpoints present.
    using var key = RSA.Create(2048);
    var request = new CertificateRequest("CN=relay.bench", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    // On Linux SslStream serves only a certificate whose key came in with it (PFX), not an ephemeral one.
    return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}
