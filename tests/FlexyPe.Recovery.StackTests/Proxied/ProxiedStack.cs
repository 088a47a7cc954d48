using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using FlexyPe.AppHost.Infrastructure;
using FlexyPe.Recovery.StackTests.Notifier;
using FlexyPe.Recovery.StackTests.Stack;
using Npgsql;

namespace FlexyPe.Recovery.StackTests.Proxied;

/// <summary>
/// The services in the shape <c>azd up</c> deploys them, behind a reverse proxy as a cloud ingress puts them: each its
/// own process from its build output (Production, no AppHost, DCP or dashboard; as bench/deployed.sh runs them),
/// configured with exactly the environment the published manifest gives it, resolved as azd would. The manifest is
/// published with a managed Postgres (<c>Infrastructure:Postgres=external</c>: a server that starts without our
/// databases, so the services create theirs), the SMTP server as the <c>smtp</c> parameter, and the proxy's address as
/// the trusted proxy. Ingest and Notifier are each behind a YARP front door on HTTPS, which is their public URL.
/// </summary>
/// <remarks>
/// Why not the AppHost under test: under <c>dotnet run</c> DCP's own proxy sits in front of every service, so the
/// client address a service sees is always DCP's, and the public URL and the trusted proxies would come from run-mode
/// code, not from the manifest that is deployed.
/// </remarks>
public sealed class ProxiedStack : IAsyncLifetime
{
    /// <summary>The address the front doors connect to the services from: the one trusted proxy.</summary>
    public const string ProxyAddress = "127.0.0.1";

    // Well under a minute alone; counted from the stack's turn to start (StackStarts), with room for a slow machine.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);
    private static readonly string[] Services = ["workflows", "notifier", "ingest"];

    private readonly string directory = Path.Combine(Path.GetTempPath(), $"flexype-deployed-{Guid.NewGuid():N}");
    private readonly List<ChildProcess> processes = [];
    private readonly Dictionary<string, int> servicePorts = Services.ToDictionary(service => service, _ => FreePorts.Next());
    private X509Certificate2 certificate = null!;
    private FrontDoor? ingestDoor;
    private FrontDoor? notifierDoor;

    public string WebhookSecret { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
    public string AdminApiKey { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));

    /// <summary>Where every email goes: a real SMTP server in this process.</summary>
    internal TestSmtpServer Smtp { get; private set; } = null!;

    /// <summary>Ingest's public URL (its front door), the webhook URL FlexyPe is given.</summary>
    public string IngestPublicUrl => ingestDoor!.PublicUrl;

    /// <summary>Notifier's public URL (its front door), where unsubscribe links must point.</summary>
    public string NotifierPublicUrl => notifierDoor!.PublicUrl;

    /// <summary>Ingest itself, for a client that reaches it without going through the proxy.</summary>
    public string IngestDirectUrl => $"http://127.0.0.1:{servicePorts["ingest"]}";

    public Task InitializeAsync() => StackStarts.InTurnAsync(StartAsync);

    private async Task StartAsync()
    {
        using var cts = new CancellationTokenSource(StartTimeout);
        // Not Directory.CreateTempSubdirectory: its 0700 folder would keep the 'postgres' account out.
        Directory.CreateDirectory(directory);
        certificate = TestSmtpServer.SelfSignedCertificate("127.0.0.1");

        var publishing = PublishedManifest.WriteAsync(
            "--Infrastructure:Postgres=external",
            $"--ForwardedHeaders:KnownProxies:0={ProxyAddress}",
            // An hour passes in a second, so the first step of an abandoned checkout is due a second after it.
            "--Workflows:TimeScale=3600", "--Workflows:QuietHours:Enabled=false",
            "--Workflows:Uplift:HoldoutShare=0", "--Workflows:Uplift:ExplorationShare=0");

        var postgres = await StartPostgresAsync(cts.Token);
        var redisPort = FreePorts.Next();
        var redisPassword = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        processes.Add(ChildProcess.Start("redis", "redis-server",
            ["--port", $"{redisPort}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--requirepass", redisPassword]));
        Smtp = await TestSmtpServer.StartAsync();

        ingestDoor = await FrontDoor.StartAsync(FreePorts.Next(), $"http://127.0.0.1:{servicePorts["ingest"]}", certificate);
        notifierDoor = await FrontDoor.StartAsync(FreePorts.Next(), $"http://127.0.0.1:{servicePorts["notifier"]}", certificate);

        var resolver = new ManifestResolver(await publishing,
            parameters: new Dictionary<string, string>
            {
                ["flexype-webhook-secret"] = WebhookSecret,
                ["admin-api-key"] = AdminApiKey,
                ["postgres"] = postgres,
                ["smtp"] = Smtp.ConnectionString,
                ["redis-password"] = redisPassword,
            },
            bindings: Bindings(redisPort));

        foreach (var service in Services)
        {
            processes.Add(StartService(service, resolver.EnvironmentOf(service)));
        }
        foreach (var service in Services)
        {
            await WaitHealthyAsync(service, cts.Token);
        }
    }

    /// <summary>What azd would resolve each binding to; inside the deployment TLS ends at the ingress.</summary>
    private Dictionary<string, string> Bindings(int redisPort)
    {
        var bindings = new Dictionary<string, string>
        {
            ["redis.bindings.tcp.host"] = "127.0.0.1",
            ["redis.bindings.tcp.port"] = $"{redisPort}",
            ["redis.bindings.tcp.scheme"] = "redis",
        };
        foreach (var (service, port) in servicePorts)
        {
            var direct = $"http://127.0.0.1:{port}";
            bindings[$"{service}.bindings.http.url"] = direct;
            bindings[$"{service}.bindings.http.targetPort"] = $"{port}";
            bindings[$"{service}.bindings.https.url"] = service switch
            {
                "ingest" => ingestDoor!.PublicUrl,
                "notifier" => notifierDoor!.PublicUrl,
                _ => direct,
            };
        }
        return bindings;
    }

    private ChildProcess StartService(string service, Dictionary<string, string> environment)
    {
        var name = service switch { "ingest" => "Ingest", "workflows" => "Workflows", _ => "Notifier" };
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name; // bin/<Configuration>/net10.0
        var output = Path.Combine(Repository.Root, $"FlexyPe.{name}", "bin", configuration, "net10.0");

        // On top of the manifest's environment: loopback only (HTTP_PORTS alone would listen on every interface of
        // this shared machine), the container's environment name, no telemetry export, quieter logs.
        environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{servicePorts[service]}";
        environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        environment["DOTNET_ENVIRONMENT"] = "Production";
        environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = "";
        environment["Logging__LogLevel__Default"] = "Warning";
        return ChildProcess.Start(service, "dotnet", [Path.Combine(output, $"FlexyPe.{name}.dll")], environment, output);
    }

    private async Task WaitHealthyAsync(string service, CancellationToken cancellationToken)
    {
        var process = processes.Single(p => p.Name == service);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{servicePorts[service]}"), Timeout = TimeSpan.FromSeconds(5) };
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{service} exited while starting:\n{process.Output}");
            }
            try
            {
                using var response = await http.GetAsync("/health", cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // Not listening yet.
            }
            if (cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"{service} did not become healthy:\n{process.Output}");
            }
            await Task.Delay(250, CancellationToken.None);
        }
    }

    /// <summary>A Postgres server with no database of ours on it, as a managed one starts; its connection string.</summary>
    private async Task<string> StartPostgresAsync(CancellationToken cancellationToken)
    {
        var bin = LocalPostgres.FindBinDirectory() ?? throw new InvalidOperationException("postgres is not installed (Debian package 'postgresql')");
        var data = Path.Combine(directory, "postgres");
        Directory.CreateDirectory(data);
        // Postgres refuses to run as root: as root, run it as the 'postgres' account the Debian package creates.
        string[] asPostgres = Environment.UserName == "root" ? ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"] : [];
        if (asPostgres.Length > 0)
        {
            await ChildProcess.RunAsync("chown", "postgres:postgres", data);
        }
        string[] initdb = [.. asPostgres, Path.Combine(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"];
        await ChildProcess.RunAsync(initdb[0], initdb[1..]);

        var port = FreePorts.Next();
        string[] server = [.. asPostgres, Path.Combine(bin, "postgres"), "-D", data, "-k", data, "-h", "127.0.0.1", "-p", $"{port}", "-c", "max_connections=300"];
        var postgres = ChildProcess.Start("postgres", server[0], server[1..], interruptToStop: true);
        processes.Add(postgres);

        var connectionString = $"Host=127.0.0.1;Port={port};Username=postgres";
        await Eventually.TrueAsync(async () =>
        {
            if (postgres.HasExited)
            {
                throw new InvalidOperationException($"postgres exited:\n{postgres.Output}");
            }
            try
            {
                await using var connection = new NpgsqlConnection(connectionString + ";Database=postgres");
                await connection.OpenAsync(cancellationToken);
                return true;
            }
            catch (NpgsqlException)
            {
                return false;
            }
        }, "postgres to accept connections");
        return connectionString;
    }

    /// <summary>
    /// An HTTP client whose connections come from <paramref name="sourceAddress"/> (any 127.x.y.z is this machine), so
    /// each test is its own client as far as any server can tell; it trusts the front doors' certificate.
    /// </summary>
    public HttpClient ClientFrom(string sourceAddress, string baseUrl)
    {
        var source = IPAddress.Parse(sourceAddress);
        var thumbprint = certificate.GetCertHashString();
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            SslOptions = { RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == thumbprint },
        };
        return new HttpClient(handler) { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>POSTs a delivery to Ingest's webhook the way FlexyPe does (plus, if given, an X-Forwarded-For of the client's making).</summary>
    public async Task<HttpResponseMessage> DeliverAsync(HttpClient client, string? secret, string body, string? forwardedFor = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/flexype")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Webhook-Version", "2026-05");
        request.Headers.Add("X-Event-Id", $"evt_{Guid.NewGuid():N}");
        if (secret is not null)
        {
            request.Headers.Add("X-Flexype-Authorization", secret);
        }
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }
        return await client.SendAsync(request);
    }

    public async Task DisposeAsync()
    {
        // The services first (their last database work needs Postgres), then the rest.
        foreach (var process in Enumerable.Reverse(processes).Where(p => Services.Contains(p.Name)))
        {
            await process.DisposeAsync();
        }
        foreach (var process in processes.Where(p => !Services.Contains(p.Name)))
        {
            await process.DisposeAsync();
        }
        if (ingestDoor is not null)
        {
            await ingestDoor.DisposeAsync();
        }
        if (notifierDoor is not null)
        {
            await notifierDoor.DisposeAsync();
        }
        if (Smtp is not null)
        {
            await Smtp.DisposeAsync();
        }
        certificate?.Dispose();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A server still closing its files; the folder is under /tmp and disposable.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ProxiedStackCollection : ICollectionFixture<ProxiedStack>
{
    public const string Name = "Deployed shape behind a reverse proxy";
}
