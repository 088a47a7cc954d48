using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace SendingBench;

/// <summary>
/// The smallest SMTP server that accepts every message and keeps only counts, on 127.0.0.1, with Nagle's algorithm
/// off on every connection. (The SmtpServer library, tried first, answered each message about 44 ms late on this
/// machine, CPU idle: a TCP stall between its small writes that hid any difference between the two modes.)
/// Given a <see cref="Relay"/>, it behaves like a provider's submission port: STARTTLS with that certificate, then
/// AUTH PLAIN or LOGIN with that user name and password before any MAIL.
/// </summary>
internal sealed class SmtpSink(int port, SmtpSink.Relay? relay = null) : IDisposable
{
    /// <summary>STARTTLS with <paramref name="Certificate"/>; AUTH (offered only under TLS) as this user, required.</summary>
    public sealed record Relay(X509Certificate2 Certificate, string UserName, string Password);

    private readonly TcpListener listener = new(IPAddress.Loopback, port);
    private int sessions, messages, tlsSessions, authenticatedSessions;

    public int Sessions => Volatile.Read(ref sessions);
    public int Messages => Volatile.Read(ref messages);
    public int TlsSessions => Volatile.Read(ref tlsSessions);
    public int AuthenticatedSessions => Volatile.Read(ref authenticatedSessions);

    public async Task RunAsync()
    {
        listener.Start(512);
        try
        {
            while (true)
            {
                var socket = await listener.AcceptSocketAsync();
                socket.NoDelay = true;
                Interlocked.Increment(ref sessions);
                _ = Task.Run(() => ServeAsync(socket));
            }
        }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
    }

    public void Stop() => listener.Stop();

    public void Dispose() => listener.Dispose();

    private async Task ServeAsync(Socket socket)
    {
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        var reader = new StreamReader(stream, Encoding.Latin1);
        bool secure = false, authenticated = false;
        async Task Reply(string text) => await stream.WriteAsync(Encoding.ASCII.GetBytes(text));
        try
        {
            await Reply("220 localhost ESMTP sink\r\n");
            while (await reader.ReadLineAsync() is { } line)
            {
                var verb = line.Length >= 4 ? line[..4].ToUpperInvariant() : line.ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        var offer = relay is null ? "" : secure ? "250-AUTH PLAIN LOGIN\r\n" : "250-STARTTLS\r\n";
                        await Reply($"250-localhost\r\n250-8BITMIME\r\n{offer}250 SIZE 52428800\r\n");
                        break;
                    case "STAR" when relay is not null && !secure: // STARTTLS
                        await Reply("220 2.0.0 Ready to start TLS\r\n");
                        // The client sends nothing more until its TLS hello, so the reader holds nothing unread.
                        var tls = new SslStream(stream);
                        await tls.AuthenticateAsServerAsync(relay.Certificate);
                        (stream, reader, secure) = (tls, new StreamReader(tls, Encoding.Latin1), true);
                        Interlocked.Increment(ref tlsSessions);
                        break;
                    case "AUTH" when relay is not null && secure:
                        authenticated = await AuthenticateAsync(relay, line, reader, Reply);
                        if (authenticated)
                        {
                            Interlocked.Increment(ref authenticatedSessions);
                        }
                        await Reply(authenticated ? "235 2.7.0 Authentication successful\r\n" : "535 5.7.8 Authentication credentials invalid\r\n");
                        break;
                    case "MAIL" when relay is not null && !authenticated:
                        await Reply("530 5.7.0 Authentication required\r\n");
                        break;
                    case "DATA":
                        await Reply("354 end with <CRLF>.<CRLF>\r\n");
                        while (await reader.ReadLineAsync() is { } data && data != ".") { }
                        Interlocked.Increment(ref messages);
                        await Reply("250 2.0.0 queued\r\n");
                        break;
                    case "QUIT":
                        await Reply("221 2.0.0 bye\r\n");
                        return;
                    default: // HELO, MAIL, RCPT, RSET, NOOP
                        await Reply("250 2.0.0 ok\r\n");
                        break;
                }
            }
        }
        catch (IOException) { }
        catch (System.Security.Authentication.AuthenticationException) { } // a client that gave up on the handshake
        finally
        {
            await stream.DisposeAsync();
        }
    }

    /// <summary>AUTH PLAIN or LOGIN, with or without the initial response on the AUTH line.</summary>
    private static async Task<bool> AuthenticateAsync(Relay relay, string line, StreamReader reader, Func<string, Task> reply)
    {
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        async Task<string> Answer(string challenge)
        {
            await reply($"334 {challenge}\r\n");
            return await reader.ReadLineAsync() ?? "";
        }
        static string Decode(string base64) => Encoding.UTF8.GetString(Convert.FromBase64String(base64));

        switch (words.ElementAtOrDefault(1)?.ToUpperInvariant())
        {
            case "PLAIN":
                var plain = Decode(words.Length > 2 ? words[2] : await Answer("")).Split('\0'); // authzid \0 user \0 password
                return plain.Length == 3 && plain[1] == relay.UserName && plain[2] == relay.Password;
            case "LOGIN":
                var user = Decode(words.Length > 2 ? words[2] : await Answer("VXNlcm5hbWU6")); // "Username:"
                var password = Decode(await Answer("UGFzc3dvcmQ6")); // "Password:"
                return user == relay.UserName && password == relay.Password;
            default:
                return false;
        }
    }
}
