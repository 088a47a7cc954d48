// Benchmark part 4: messages per second to a local SMTP server through Notifier's own SmtpConnectionPool, with
// connections reused (Notifier:Smtp:ReuseConnections=true, the default) and with a new connection per message
// (false). Both modes in the same process, against the same in-process SMTP sink (SmtpSink.cs, on 127.0.0.1), with the same message, the same count and the same concurrency (Notifier's Sending:Workers and
// Smtp:PoolSize defaults, 4), in the order pooled, per-connection, per-connection, pooled after a warm-up of each.
//
//   dotnet bench/Sending/bin/Release/net10.0/Sending.dll --count 2000 --out sending.json
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using FlexyPe.Notifier;
using FlexyPe.Notifier.Smtp;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;
using SendingBench;

var count = Arg("--count", 2000);
var workers = Arg("--workers", 4);
var warmup = Arg("--warmup", 200);
var outPath = args.SkipWhile(a => a != "--out").Skip(1).FirstOrDefault();

var port = FreePort();
using var sink = new SmtpSink(port);
var running = sink.RunAsync();
var rounds = new List<Dictionary<string, object>>();
foreach (var (mode, measured) in new[] { ("pooled", false), ("per_connection", false), ("pooled", true), ("per_connection", true), ("per_connection", true), ("pooled", true) })
{
    var n = measured ? count : warmup;
    var (seconds, opened, received) = await RunAsync(mode == "pooled", n);
    if (measured)
    {
        rounds.Add(new() { ["mode"] = mode, ["messages"] = n, ["seconds"] = Math.Round(seconds, 3), ["messages_per_second"] = Math.Round(n / seconds, 1), ["connections_opened"] = opened, ["messages_received"] = received });
        Console.WriteLine($"{mode,-15} {n} messages in {seconds:F2} s: {n / seconds,8:F1} msg/s, {opened} connections opened, {received} received");
    }
}

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

double Mps(string mode) => rounds.Where(r => (string)r["mode"] == mode).Sum(r => (int)r["messages"]) / rounds.Where(r => (string)r["mode"] == mode).Sum(r => (double)r["seconds"]);
var result = new Dictionary<string, object>
{
    ["what"] = "Notifier's SmtpConnectionPool (MailKit) to an in-process SMTP sink (bench/Sending/SmtpSink.cs: accepts every message, TCP_NODELAY) on 127.0.0.1, no TLS, no auth",
    ["workers"] = workers, ["pool_size"] = workers, ["messages_per_round"] = count, ["message_bytes"] = Message(0).ToString().Length,
    ["rounds"] = rounds,
    ["pooled_messages_per_second"] = Math.Round(Mps("pooled"), 1),
    ["per_connection_messages_per_second"] = Math.Round(Mps("per_connection"), 1),
    ["ratio"] = Math.Round(Mps("pooled") / Mps("per_connection"), 2),
    ["diagnostic_nodelay_pooled_messages_per_second"] = Math.Round(Mps("nodelay_pooled"), 1),
    ["diagnostic_nodelay_per_connection_messages_per_second"] = Math.Round(Mps("nodelay_per_connection"), 1),
    ["diagnostic_nodelay_ratio"] = Math.Round(Mps("nodelay_pooled") / Mps("nodelay_per_connection"), 2),
};
Console.WriteLine($"pooled / per-connection = {result["ratio"]}");
if (outPath is not null)
{
    await File.WriteAllTextAsync(outPath, JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
}
sink.Stop();
await running;
return 0;

async Task<(double Seconds, int Opened, int Received)> RunAsync(bool reuse, int n)
{
    var options = Options.Create(new NotifierOptions { Smtp = { PoolSize = workers, ReuseConnections = reuse } });
    var pool = new SmtpConnectionPool(SmtpEndpoint.Parse($"smtp://127.0.0.1:{port}"), options, TimeProvider.System, NullLogger<SmtpConnectionPool>.Instance);
    var sessionsBefore = sink.Sessions;
    var receivedBefore = sink.Messages;
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
    return (seconds, sink.Sessions - sessionsBefore, sink.Messages - receivedBefore);
}

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

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}
