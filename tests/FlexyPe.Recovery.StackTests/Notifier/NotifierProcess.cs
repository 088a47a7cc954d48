using System.Diagnostics;
using System.Net;
using FlexyPe.Recovery.StackTests.Stack;
using FlexyPe.Recovery.Testing;
using Npgsql;

namespace FlexyPe.Recovery.StackTests.Notifier;

/// <summary>
/// A Notifier run as its own process (the build output, as <c>dotnet FlexyPe.Notifier.dll</c>) with the settings a
/// test needs: its own database on the stack's Postgres server and an SMTP server the test controls. Two of them on
/// one database are two replicas.
/// </summary>
internal sealed class NotifierProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly RecentLines output = new();
    private bool ready;

    public HttpClient Http { get; }

    /// <summary>The last lines the process wrote (console logs).</summary>
    public string Output => output.ToString();
    public NotifierClient Client { get; }

    private NotifierProcess(Process process, Uri baseAddress, string adminApiKey)
    {
        this.process = process;
        Http = new HttpClient(new ProcessStateOnFailure(this) { InnerHandler = new SocketsHttpHandler() }) { BaseAddress = baseAddress };
        Client = new NotifierClient(Http, adminApiKey);
    }

    /// <summary>A fresh, empty database on the stack's Postgres server; the Notifier migrates it when it starts.</summary>
    public static async Task<string> CreateDatabaseAsync(RecoveryStack stack)
    {
        var connectionString = await stack.App.GetConnectionStringAsync("notifierdb");
        var name = $"notifier_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(connectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Starts <paramref name="count"/> replicas at the same moment; if one fails to start, stops the others.</summary>
    public static async Task<NotifierProcess[]> StartReplicasAsync(int count, string database, string smtp, string adminApiKey)
    {
        var starting = Enumerable.Range(0, count).Select(_ => StartAsync(database, smtp, adminApiKey)).ToArray();
        try
        {
            return await Task.WhenAll(starting);
        }
        catch
        {
            foreach (var started in starting.Where(t => t.IsCompletedSuccessfully))
            {
                await started.Result.DisposeAsync();
            }
            throw;
        }
    }

    public static async Task<NotifierProcess> StartAsync(
        string database, string smtp, string adminApiKey, IReadOnlyDictionary<string, string>? settings = null)
    {
        var port = TestSmtpServer.FreePort();
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name; // bin/<Configuration>/net10.0
        var output = Path.Combine(Repository.Root, "FlexyPe.Notifier", "bin", configuration, "net10.0");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = output,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(output, "FlexyPe.Notifier.dll"));
        start.ArgumentList.Add($"--urls=http://127.0.0.1:{port}");
        start.Environment["ConnectionStrings__notifierdb"] = database;
        start.Environment["ConnectionStrings__smtp"] = smtp;
        start.Environment["Admin__ApiKey"] = adminApiKey;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        // "Application is shutting down..." in the last lines, should something stop the process during a test.
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        start.Environment["Notifier__Sending__MaxSleep"] = "00:00:01";
        start.Environment["Notifier__Sending__RetryDelay"] = "00:00:00.500";
        start.Environment["Notifier__Sending__MaxRetryDelay"] = "00:00:01";
        start.Environment["Notifier__Outbox__FirstRetryDelay"] = "00:00:05";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var notifier = new NotifierProcess(Process.Start(start)!, new Uri($"http://127.0.0.1:{port}"), adminApiKey);
        notifier.process.OutputDataReceived += (_, e) => notifier.output.Add(e.Data);
        notifier.process.ErrorDataReceived += (_, e) => notifier.output.Add(e.Data);
        notifier.process.BeginOutputReadLine();
        notifier.process.BeginErrorReadLine();

        try
        {
            // Ready when the operator API answers: migrations are applied and the database is reachable.
            await Eventually.TrueAsync(async () =>
            {
                if (notifier.process.HasExited)
                {
                    throw new InvalidOperationException("The Notifier process exited.");
                }
                try
                {
                    return await notifier.Client.StatusOfAsync(HttpMethod.Get, "/api/messages") == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, "the Notifier process to answer");
        }
        catch (Exception e)
        {
            if (notifier.process.HasExited)
            {
                // Waits until everything the process wrote has been read: why it stopped is in its last lines.
                await notifier.process.WaitForExitAsync();
            }
            var log = notifier.output.ToString();
            await notifier.DisposeAsync();
            throw new InvalidOperationException($"The Notifier process did not start: {e.Message}\n{log}", e);
        }
        notifier.ready = true;
        return notifier;
    }

    /// <summary>
    /// A request that fails at the connection (refused, or closed without an answer) says whether the process was
    /// still running and what it last wrote, so a failure in CI carries its own explanation.
    /// </summary>
    private sealed class ProcessStateOnFailure(NotifierProcess notifier) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            try
            {
                return await base.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException e)
            {
                var state = notifier.process.HasExited ? $"had exited with code {notifier.process.ExitCode}" : "was running";
                throw new HttpRequestException(
                    $"{request.Method} {request.RequestUri?.PathAndQuery}: {e.Message} The Notifier process {state}; its last lines:\n{notifier.Output}",
                    e, e.StatusCode);
            }
        }
    }

    /// <summary>
    /// Stops the process. One that had stopped on its own during the test fails the test here, with its exit code
    /// (128 + the signal, when a signal ended it) and its last lines: whatever the test's own failure was, this is why.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        var stoppedOnItsOwn = ready && process.HasExited;
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }
        await process.WaitForExitAsync();
        var exitCode = process.ExitCode;
        process.Dispose();
        if (stoppedOnItsOwn)
        {
            throw new InvalidOperationException($"The Notifier process (started by this test) exited during it, with code {exitCode}; its last lines:\n{Output}");
        }
    }
}
