using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MimeKit;
using SmtpServer;
using SmtpServer.ComponentModel;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace FlexyPe.Chaos.Stack;

/// <summary>One message the SMTP server accepted, as written to its journal.</summary>
public sealed record JournalEntry(long AtUnixMs, string MessageId, string To, string? ListUnsubscribe, string Subject)
{
    /// <summary>The links of the HTML part, in order (tracked ones point at Notifier's <c>/c/{token}</c>).</summary>
    public IReadOnlyList<string> Links { get; init; } = [];
}

/// <summary>
/// The stack's SMTP server (<c>flexype-chaos smtp-sink</c>), its own process so it can be killed like the rest: a real
/// SMTP server (the SmtpServer library) that appends every message it accepts to a journal (one JSON line, flushed to
/// disk) before answering 250, so what arrived survives its own crash. It answers 550 to a stable share of recipients
/// (hard bounces). Armed with <c>&lt;journal&gt;.kill</c> holding a process id, it kills that process (-9) right after
/// journaling the next message and before its 250: a Notifier that dies between the server accepting a message and
/// committing that it sent it, the one duplicate window the system documents.
/// </summary>
public static partial class JournalSmtpServer
{
    [System.Text.RegularExpressions.GeneratedRegex("href=\"([^\"]*)\"")]
    private static partial System.Text.RegularExpressions.Regex Href();

    public static async Task<int> RunAsync(int port, string journal, double bounceRate, CancellationToken ct)
    {
        var options = new SmtpServerOptionsBuilder().ServerName("chaos-sink")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, port)))
            .MaxMessageSize(32 * 1024 * 1024)
            .Build();
        var services = new ServiceProvider();
        using var writer = new JournalWriter(journal);
        services.Add(new Store(writer, journal + ".kill"));
        services.Add(new BounceFilter(bounceRate));
        var server = new SmtpServer.SmtpServer(options, services);
        Console.WriteLine($"smtp-sink listening on 127.0.0.1:{port}, journal {journal}, bounce rate {bounceRate}");
        await server.StartAsync(ct);
        return 0;
    }

    /// <summary>Whether the server answers 550 for this address: a stable choice from its hash, the same in every run.</summary>
    public static bool Bounces(string address, double rate)
    {
        if (rate <= 0)
        {
            return false;
        }
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("bounce:" + address.ToLowerInvariant()));
        return BitConverter.ToUInt32(hash, 0) / (double)uint.MaxValue < rate;
    }

    public static List<JournalEntry> Read(string journal)
    {
        if (!File.Exists(journal))
        {
            return [];
        }
        var entries = new List<JournalEntry>();
        using var stream = new FileStream(journal, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            // A line cut short by a kill -9 in the middle of a write is not a message that was acknowledged.
            try
            {
                if (JsonSerializer.Deserialize<JournalEntry>(line, Json) is { } entry)
                {
                    entries.Add(entry);
                }
            }
            catch (JsonException)
            {
            }
        }
        return entries;
    }

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private sealed class JournalWriter(string path) : IDisposable
    {
        public void Dispose()
        {
            file.Dispose();
            gate.Dispose();
        }

        private readonly FileStream file = new(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        private readonly SemaphoreSlim gate = new(1, 1);

        public async Task AppendAsync(JournalEntry entry, CancellationToken ct)
        {
            var line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(entry, Json) + "\n");
            await gate.WaitAsync(ct);
            try
            {
                await file.WriteAsync(line, ct);
                file.Flush(flushToDisk: true);
            }
            finally
            {
                gate.Release();
            }
        }
    }

    private sealed class Store(JournalWriter journal, string killFile) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            var message = await MimeMessage.LoadAsync(new MemoryStream(buffer.ToArray()), cancellationToken);
            foreach (var to in transaction.To)
            {
                await journal.AppendAsync(new JournalEntry(
                    DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), message.MessageId ?? "", to.AsAddress(),
                    message.Headers["List-Unsubscribe"], message.Subject ?? "")
                {
                    Links = [.. Href().Matches(message.HtmlBody ?? "").Select(m => System.Net.WebUtility.HtmlDecode(m.Groups[1].Value)).Take(50)],
                }, cancellationToken);
            }
            if (File.Exists(killFile))
            {
                var pids = (await File.ReadAllTextAsync(killFile, cancellationToken)).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                File.Delete(killFile);
                // The message is stored; its sender dies before it hears 250 and before it can commit.
                foreach (var pid in pids)
                {
                    using var kill = System.Diagnostics.Process.Start("kill", ["-KILL", pid]);
                    await kill.WaitForExitAsync(cancellationToken);
                }
                Console.WriteLine($"killed {string.Join(", ", pids)} after accepting {message.MessageId}");
            }
            return SmtpResponse.Ok;
        }
    }

    private sealed class BounceFilter(double rate) : MailboxFilter
    {
        public override Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken)
            => Task.FromResult(!JournalSmtpServer.Bounces(to.AsAddress(), rate));
    }
}
