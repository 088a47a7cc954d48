using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace FlexyPe.AppHost.Infrastructure;

/// <summary>A PostgreSQL server run from the machine's own binaries (Debian package <c>postgresql</c>).</summary>
public sealed class LocalPostgresResource(string name, string command, string workingDirectory, string dataDirectory)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    internal const string EndpointName = "tcp";

    public string DataDirectory { get; } = dataDirectory;

    public EndpointReference Endpoint => field ??= new(this, EndpointName);

    // Local development only: the server listens on loopback with trust authentication and no password to keep.
    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={Endpoint.Property(EndpointProperty.Host)};Port={Endpoint.Property(EndpointProperty.Port)};Username=postgres");
}

/// <summary>One database on a <see cref="LocalPostgresResource"/>.</summary>
public sealed class LocalPostgresDatabaseResource(string name, string databaseName, LocalPostgresResource parent)
    : Resource(name), IResourceWithParent<LocalPostgresResource>, IResourceWithConnectionString
{
    public LocalPostgresResource Parent { get; } = parent;

    public string DatabaseName { get; } = databaseName;

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{Parent};Database={DatabaseName}");
}

public static class LocalPostgres
{
    private const string ServiceAccount = "postgres";

    /// <summary>The newest <c>/usr/lib/postgresql/N/bin</c> holding <c>postgres</c> and <c>initdb</c>, or PATH.</summary>
    public static string? FindBinDirectory()
    {
        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var newest = Directory.GetDirectories(debianRoot)
                .Select(version => Path.Combine(version, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "postgres")) && File.Exists(Path.Combine(bin, "initdb")))
                .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var v) ? v : 0)
                .FirstOrDefault();
            if (newest is not null)
            {
                return newest;
            }
        }

        var onPath = MachineProbe.FindOnPath("postgres");
        return onPath is not null && MachineProbe.FindOnPath("initdb") is not null ? Path.GetDirectoryName(onPath) : null;
    }

    public static IResourceBuilder<LocalPostgresResource> AddLocalPostgres(
        this IDistributedApplicationBuilder builder, string name, string dataDirectory)
    {
        var bin = FindBinDirectory() ?? throw new InfrastructureUnavailableException(
            "postgres is not installed; on Debian/Ubuntu: sudo apt-get install postgresql");
        var postgresBinary = Path.Combine(bin, "postgres");

        // postgres and initdb refuse to run as root; drop to the 'postgres' account the Debian package creates.
        var asRoot = Environment.UserName == "root";
        var resource = new LocalPostgresResource(name, asRoot ? "setpriv" : postgresBinary, dataDirectory, dataDirectory);

        var healthCheckKey = $"{name}_check";
        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(resource, async (_, ct) =>
            connectionString = await resource.ConnectionStringExpression.GetValueAsync(ct));
        builder.Services.AddHealthChecks().AddNpgSql(
            _ => connectionString ?? throw new InvalidOperationException($"{name} has no connection string yet"),
            name: healthCheckKey);

        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(resource, async (_, ct) =>
            await InitializeDataDirectoryAsync(bin, dataDirectory, asRoot, ct));

        return builder.AddResource(resource)
            .WithEndpoint(name: LocalPostgresResource.EndpointName, scheme: "tcp")
            .WithArgs(context =>
            {
                if (asRoot)
                {
                    context.Args.Add($"--reuid={ServiceAccount}");
                    context.Args.Add($"--regid={ServiceAccount}");
                    context.Args.Add("--init-groups");
                    context.Args.Add(postgresBinary);
                }
                context.Args.Add("-D");
                context.Args.Add(dataDirectory);
                context.Args.Add("-k");
                context.Args.Add(dataDirectory);
                context.Args.Add("-h");
                context.Args.Add("127.0.0.1");
                context.Args.Add("-p");
                context.Args.Add(resource.Endpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("-c");
                context.Args.Add("max_connections=300");
            })
            .WithHealthCheck(healthCheckKey);
    }

    public static IResourceBuilder<LocalPostgresDatabaseResource> AddDatabase(
        this IResourceBuilder<LocalPostgresResource> server, string name)
    {
        var database = new LocalPostgresDatabaseResource(name, name, server.Resource);

        // Aspire carries a parent's state over to child resources only for containers, so this child reports its own:
        // it is running once the server is ready and the database exists.
        server.ApplicationBuilder.Eventing.Subscribe<ResourceReadyEvent>(server.Resource, async (@event, ct) =>
        {
            var notifications = @event.Services.GetRequiredService<ResourceNotificationService>();
            await CreateDatabaseIfMissingAsync(server.Resource, database.DatabaseName, ct);
            await notifications.PublishUpdateAsync(database, state => state with
            {
                State = KnownResourceStates.Running,
                StartTimeStamp = DateTime.UtcNow,
            });
        });

        return server.ApplicationBuilder.AddResource(database)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "PostgresDatabase",
                State = KnownResourceStates.Waiting,
                Properties = [],
            });
    }

    private static async Task CreateDatabaseIfMissingAsync(LocalPostgresResource server, string database, CancellationToken ct)
    {
        var connectionString = await server.ConnectionStringExpression.GetValueAsync(ct);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection)
        {
            Parameters = { new() { Value = database } },
        };
        if (await exists.ExecuteScalarAsync(ct) is null)
        {
            // The name comes from the AppHost's own code, never from input.
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
            await create.ExecuteNonQueryAsync(ct);
        }
    }

    private static async Task InitializeDataDirectoryAsync(string bin, string dataDirectory, bool asRoot, CancellationToken ct)
    {
        if (File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            return;
        }

        Directory.CreateDirectory(dataDirectory);
        if (asRoot)
        {
            await RunAsync("chown", [$"{ServiceAccount}:{ServiceAccount}", dataDirectory], ct);
        }

        string[] initdb = [Path.Combine(bin, "initdb"), "-D", dataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"];
        if (asRoot)
        {
            await RunAsync("setpriv", [$"--reuid={ServiceAccount}", $"--regid={ServiceAccount}", "--init-groups", .. initdb], ct);
        }
        else
        {
            await RunAsync(initdb[0], initdb[1..], ct);
        }
    }

    private static async Task RunAsync(string program, IEnumerable<string> arguments, CancellationToken ct)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{program} exited with {process.ExitCode}: {await error}{await output}");
        }
    }
}
