using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace FlexyPe.Chaos.Stack;

/// <summary>What a <see cref="DeployedStack"/> runs with.</summary>
public sealed record StackOptions
{
    /// <summary>An empty folder for Postgres's data, the logs and the mail journal.</summary>
    public required string Directory { get; init; }
    public required string WebhookSecret { get; init; }
    public required string AdminApiKey { get; init; }
    /// <summary>Processes of each service (Ingest, Workflows, Notifier).</summary>
    public int Replicas { get; init; } = 1;
    /// <summary>The build whose output runs: <c>Release</c> (bench) or the tests' own configuration.</summary>
    public string Configuration { get; init; } = "Release";
    /// <summary>Where every service exports traces, metrics and logs (OTLP/HTTP); none when null.</summary>
    public string? OtlpEndpoint { get; init; }
    /// <summary>Share of recipients the SMTP server answers 550 (a hard bounce), chosen by a hash of the address.</summary>
    public double BounceRate { get; init; }
    /// <summary>Settings for every service (<c>Section:Key</c> = value), on top of the stack's own.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// The stack in the shape it is deployed in (as bench/deployed.sh): Postgres, Redis, an SMTP server that journals what
/// it accepts, and each service as its own process from its build output, each on 127.0.0.1 and a port of its own.
/// Any process can be killed (-9) and started again on its own.
/// </summary>
public sealed class DeployedStack : IAsyncDisposable
{
    public const string Ingest = "ingest";
    public const string Workflows = "workflows";
    public const string Notifier = "notifier";
    public const string Postgres = "postgres";
    public const string Redis = "redis";
    public const string Smtp = "smtp";

    public static readonly string[] Databases = ["ingestdb", "workflowsdb", "notifierdb"];

    private readonly StackOptions options;
    private readonly Dictionary<string, List<Supervised>> processes = [];
    private readonly Dictionary<string, List<int>> ports = [];
    private readonly string pgBin;

    public DeployedStack(StackOptions options)
    {
        this.options = options;
        pgBin = System.IO.Directory.GetDirectories("/usr/lib/postgresql")
            .Select(d => Path.Combine(d, "bin"))
            .Where(System.IO.Directory.Exists)
            .OrderBy(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
            .LastOrDefault() ?? throw new InvalidOperationException("No PostgreSQL server under /usr/lib/postgresql (apt-get install postgresql).");
        foreach (var name in new[] { Postgres, Redis, Smtp })
        {
            ports[name] = [FreePort()];
        }
        foreach (var name in new[] { Ingest, Workflows, Notifier })
        {
            ports[name] = [.. Enumerable.Range(0, options.Replicas).Select(_ => FreePort())];
        }
    }

    public StackOptions Options => options;
    public string JournalPath => Path.Combine(options.Directory, "smtp-journal.jsonl");
    public string LogDirectory => Path.Combine(options.Directory, "logs");

    public Uri Url(string service, int replica = 0) => new($"http://127.0.0.1:{ports[service][replica]}");
    public int Port(string name, int replica = 0) => ports[name][replica];
    public int ReplicasOf(string name) => ports[name].Count;
    public Supervised Process(string name, int replica = 0) => processes[name][replica];
    public IEnumerable<Supervised> All => processes.Values.SelectMany(p => p);

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={ports[Postgres][0]};Username=postgres;Database={database};Timeout=5;Command Timeout=30;Pooling=false";

    public async Task StartAsync(CancellationToken ct = default)
    {
        System.IO.Directory.CreateDirectory(options.Directory);
        System.IO.Directory.CreateDirectory(LogDirectory);
        var pgData = Path.Combine(options.Directory, "pg");
        System.IO.Directory.CreateDirectory(pgData);
        if (IsRoot)
        {
            await RunAsync("chown", ["postgres:postgres", pgData], ct);
            // The postgres account must be able to reach its folder.
            await RunAsync("chmod", ["o+rx", options.Directory], ct);
        }
        await RunAsync(AsPostgres($"{pgBin}/initdb", "-D", pgData, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"), ct);

        Add(Postgres, 0, Spec(Postgres, AsPostgres($"{pgBin}/postgres", "-D", pgData, "-k", pgData, "-h", "127.0.0.1",
            "-p", ports[Postgres][0].ToString(), "-c", "max_connections=300",
            // The fault suite compares when a suppression was committed with when Notifier claimed a message.
            "-c", "track_commit_timestamp=on")));
        await StartAndWaitAsync(Postgres, 0, ct);
        await using (var connection = new NpgsqlConnection(ConnectionString("postgres")))
        {
            await connection.OpenAsync(ct);
            foreach (var database in Databases)
            {
                await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", connection);
                await create.ExecuteNonQueryAsync(ct);
            }
        }

        Add(Redis, 0, Spec(Redis, ["redis-server", "--port", ports[Redis][0].ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]));
        await StartAndWaitAsync(Redis, 0, ct);

        var chaos = Path.Combine(RepositoryRoot, "bench", "Chaos", "bin", options.Configuration, "net10.0", "flexype-chaos.dll");
        Add(Smtp, 0, Spec(Smtp, ["dotnet", chaos, "smtp-sink", "--port", ports[Smtp][0].ToString(), "--journal", JournalPath,
            "--bounce-rate", options.BounceRate.ToString(System.Globalization.CultureInfo.InvariantCulture)]));
        await StartAndWaitAsync(Smtp, 0, ct);

        // Workflows first (Ingest hands to it), then Notifier, then Ingest; replicas of a service start together.
        foreach (var service in new[] { Workflows, Notifier, Ingest })
        {
            for (var replica = 0; replica < ReplicasOf(service); replica++)
            {
                Add(service, replica, ServiceSpec(service, replica));
                processes[service][replica].Start();
            }
            for (var replica = 0; replica < ReplicasOf(service); replica++)
            {
                await WaitReadyAsync(service, replica, ct);
            }
        }
    }

    /// <summary><c>kill -9</c> of one process.</summary>
    public Task KillAsync(string name, int replica = 0) => processes[name][replica].KillAsync();

    /// <summary>Starts a killed process again and waits until it answers (Postgres: accepts connections; a service: /health).</summary>
    public async Task RestartAsync(string name, int replica = 0, CancellationToken ct = default)
    {
        await StartAndWaitAsync(name, replica, ct);
    }

    private async Task StartAndWaitAsync(string name, int replica, CancellationToken ct)
    {
        processes[name][replica].Start();
        await WaitReadyAsync(name, replica, ct);
    }

    /// <summary>Waits until the process does its job: Postgres and Redis answer, the SMTP server greets, a service's /health is 200.</summary>
    public async Task WaitReadyAsync(string name, int replica, CancellationToken ct, TimeSpan? timeout = null)
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromMinutes(3));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (!processes[name][replica].Running)
            {
                throw new InvalidOperationException($"{name}#{replica} exited while starting; see {processes[name][replica].Spec.LogPath}");
            }
            if (await ReadyAsync(name, replica, http, ct))
            {
                return;
            }
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"{name}#{replica} did not become ready; see {processes[name][replica].Spec.LogPath}");
            }
            await Task.Delay(200, ct);
        }
    }

    private async Task<bool> ReadyAsync(string name, int replica, HttpClient http, CancellationToken ct)
    {
        try
        {
            switch (name)
            {
                case Postgres:
                    await using (var connection = new NpgsqlConnection(ConnectionString("postgres")))
                    {
                        await connection.OpenAsync(ct);
                    }
                    return true;
                case Redis or Smtp:
                    using (var client = new TcpClient())
                    {
                        await client.ConnectAsync(IPAddress.Loopback, ports[name][replica], ct);
                        await using var stream = client.GetStream();
                        var buffer = new byte[64];
                        if (name == Redis)
                        {
                            await stream.WriteAsync("PING\r\n"u8.ToArray(), ct);
                        }
                        // Redis answers +PONG; the SMTP server greets with 220.
                        return await stream.ReadAsync(buffer, ct) > 0;
                    }
                default:
                    using (var response = await http.GetAsync(new Uri(Url(name, replica), "/health"), ct))
                    {
                        return response.IsSuccessStatusCode;
                    }
            }
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or IOException or HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private ProcessSpec ServiceSpec(string service, int replica)
    {
        var project = "FlexyPe." + char.ToUpperInvariant(service[0]) + service[1..];
        var output = Path.Combine(RepositoryRoot, project, "bin", options.Configuration, "net10.0");
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = Url(service, replica).ToString().TrimEnd('/'),
            ["DOTNET_gcServer"] = "0",
            ["Admin__ApiKey"] = options.AdminApiKey,
            ["OTEL_SERVICE_NAME"] = service,
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = options.OtlpEndpoint ?? "",
        };
        if (options.OtlpEndpoint is not null)
        {
            environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
            environment["OTEL_BSP_SCHEDULE_DELAY"] = "500";
            environment["OTEL_BLRP_SCHEDULE_DELAY"] = "500";
            environment["OTEL_METRIC_EXPORT_INTERVAL"] = "2000";
        }
        void Discover(string other)
        {
            for (var i = 0; i < ReplicasOf(other); i++)
            {
                environment[$"services__{other}__http__{i}"] = Url(other, i).ToString().TrimEnd('/');
            }
        }
        switch (service)
        {
            case Ingest:
                environment["ConnectionStrings__ingestdb"] = Pg("ingestdb");
                environment["ConnectionStrings__redis"] = $"127.0.0.1:{ports[Redis][0]}";
                environment["Ingest__WebhookSecrets__0"] = options.WebhookSecret;
                Discover(Workflows);
                break;
            case Workflows:
                environment["ConnectionStrings__workflowsdb"] = Pg("workflowsdb");
                Discover(Notifier);
                break;
            case Notifier:
                environment["ConnectionStrings__notifierdb"] = Pg("notifierdb");
                environment["ConnectionStrings__smtp"] = $"smtp://127.0.0.1:{ports[Smtp][0]}";
                environment["Notifier__PublicBaseUrl"] = Url(Notifier, 0).ToString().TrimEnd('/');
                Discover(Workflows);
                break;
        }
        foreach (var (key, value) in options.Settings)
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        return new ProcessSpec($"{service}-{replica}", "dotnet", [Path.Combine(output, project + ".dll")], output,
            Path.Combine(LogDirectory, $"{service}-{replica}.log")) { Environment = environment };
    }

    private string Pg(string database) => $"Host=127.0.0.1;Port={ports[Postgres][0]};Username=postgres;Database={database}";

    private ProcessSpec Spec(string name, string[] command)
        => new(name, command[0], command[1..], options.Directory, Path.Combine(LogDirectory, $"{name}.log"));

    private void Add(string name, int replica, ProcessSpec spec)
    {
        if (!processes.TryGetValue(name, out var list))
        {
            processes[name] = list = [];
        }
        while (list.Count <= replica)
        {
            list.Add(null!);
        }
        list[replica] = new Supervised(spec);
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static string[] AsPostgres(params string[] command)
        => IsRoot ? ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", .. command] : command;

    private static async Task RunAsync(string[] command, CancellationToken ct) => await RunAsync(command[0], command[1..], ct);

    private static async Task RunAsync(string file, IEnumerable<string> arguments, CancellationToken ct)
    {
        var start = new System.Diagnostics.ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} failed ({process.ExitCode}): {await output}{await error}");
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string RepositoryRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "FlexyPe.Recovery.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("FlexyPe.Recovery.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Stops everything: the services first, then the SMTP server, Redis and Postgres (fast shutdown).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var service in new[] { Ingest, Notifier, Workflows })
        {
            if (processes.TryGetValue(service, out var list))
            {
                await Task.WhenAll(list.Where(p => p is not null).Select(p => p.StopAsync(TimeSpan.FromSeconds(10))));
            }
        }
        foreach (var name in new[] { Smtp, Redis })
        {
            if (processes.TryGetValue(name, out var list))
            {
                await list[0].StopAsync(TimeSpan.FromSeconds(5));
            }
        }
        if (processes.TryGetValue(Postgres, out var postgres))
        {
            await postgres[0].StopAsync(TimeSpan.FromSeconds(10), "-INT");
        }
    }
}
