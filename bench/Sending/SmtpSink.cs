using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SendingBench;

/// <summary>
/// The smallest SMTP server that accepts every message and keeps only counts, on 127.0.0.1, with Nagle's algorithm
/// off on every connection. (The SmtpServer library, tried first, answered each message about 44 ms late on this
/// machine, CPU idle: a TCP stall between its small writes that hid any difference between the two modes.)
/// </summary>
internal sealed class SmtpSink(int port) : IDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, port);
    private int sessions, messages;

    public int Sessions => Volatile.Read(ref sessions);
    public int Messages => Volatile.Read(ref messages);

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
        using var stream = new NetworkStream(socket, ownsSocket: true);
        using var reader = new StreamReader(stream, Encoding.Latin1);
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
                        await Reply("250-localhost\r\n250-8BITMIME\r\n250 SIZE 52428800\r\n");
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
    }
}
