using Microsoft.Extensions.Configuration;

namespace FlexyPe.AppHost.Infrastructure;

/// <summary>The shared infrastructure the services reference: the same names and connection strings in every mode.</summary>
public sealed record RecoveryInfrastructure(
    IResourceBuilder<IResourceWithConnectionString> IngestDb,
    IResourceBuilder<IResourceWithConnectionString> WorkflowsDb,
    IResourceBuilder<IResourceWithConnectionString> NotifierDb,
    IResourceBuilder<IResourceWithConnectionString> Redis,
    IResourceBuilder<IResourceWithConnectionString> Smtp,
    IResourceBuilder<IResourceWithConnectionString> ConsoleDb);

public static class RecoveryInfrastructureExtensions
{
    public const string DataDirectoryKey = "Infrastructure:DataDirectory";

    /// <summary><c>external</c>: Postgres is a server of yours (a managed one), given as the <c>postgres</c> connection string.</summary>
    public const string PostgresKey = "Infrastructure:Postgres";

    private static readonly string[] DatabaseNames = ["ingestdb", "workflowsdb", "notifierdb", "consoledb"];

    /// <summary>
    /// Under <c>dotnet run</c>: one Postgres server with a database per service, Redis and an SMTP sink, as containers
    /// where a container runtime answers and the machine's own programs where none does (<c>Infrastructure:Mode</c>
    /// forces either). Published (what <c>azd</c> deploys): no development parts; see <see cref="AddForDeployment"/>.
    /// When neither way is possible it writes the one message saying what to install to <paramref name="error"/>
    /// (standard error by default) and returns null, so the AppHost can stop at once without a stack trace.
    /// </summary>
    public static RecoveryInfrastructure? TryAddRecoveryInfrastructure(this IDistributedApplicationBuilder builder, TextWriter? error = null)
    {
        try
        {
            if (builder.ExecutionContext.IsPublishMode)
            {
                return AddForDeployment(builder);
            }

            var mode = InfrastructureModeChooser.Choose(
                builder.Configuration[InfrastructureModeChooser.ConfigurationKey], isPublishMode: false, new MachineProbe());
            return mode == InfrastructureMode.Containers ? AddContainers(builder) : AddLocalProcesses(builder);
        }
        catch (InfrastructureUnavailableException e)
        {
            (error ?? Console.Error).WriteLine(e.Message);
            return null;
        }
    }

    /// <summary>
    /// What <c>azd up</c> deploys: Postgres as a container with its data on a volume, or (<c>Infrastructure:Postgres=external</c>)
    /// a managed server azd asks the connection string of; Redis as a container (a cache: Postgres is the truth, so it
    /// keeps nothing on disk); and the SMTP server as the <c>smtp</c> connection string azd asks for, marked secret.
    /// Never the mail sink: a deployment's emails go to real inboxes.
    /// </summary>
    private static RecoveryInfrastructure AddForDeployment(IDistributedApplicationBuilder builder)
    {
        var databases = UsesExternalPostgres(builder.Configuration)
            ? AddExternalPostgres(builder)
            : AddPostgresContainer(builder);
        var redis = builder.AddRedis("redis");
        var smtp = builder.AddConnectionString("smtp");
        return new RecoveryInfrastructure(databases[0], databases[1], databases[2], redis, smtp, databases[3]);
    }

    private static RecoveryInfrastructure AddContainers(IDistributedApplicationBuilder builder)
    {
        var databases = UsesExternalPostgres(builder.Configuration)
            ? AddExternalPostgres(builder)
            : AddPostgresContainer(builder);
        var redis = builder.AddRedis("redis");
        var mail = builder.AddMailSinkContainer("mail");
        return new RecoveryInfrastructure(databases[0], databases[1], databases[2], redis, mail, databases[3]);
    }

    private static RecoveryInfrastructure AddLocalProcesses(IDistributedApplicationBuilder builder)
    {
        var repositoryRoot = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));
        // A stable, git-ignored folder by default, so configured sequences survive a restart; tests pass a temporary one.
        var dataDirectory = Path.GetFullPath(
            builder.Configuration[DataDirectoryKey] ?? Path.Combine(repositoryRoot, ".data"));

        IResourceBuilder<IResourceWithConnectionString>[] databases;
        if (UsesExternalPostgres(builder.Configuration))
        {
            databases = AddExternalPostgres(builder);
        }
        else
        {
            var postgres = builder.AddLocalPostgres("postgres", Path.Combine(dataDirectory, "postgres"));
            databases = [.. DatabaseNames.Select(name => postgres.AddDatabase(name))];
        }
        var redis = builder.AddLocalRedis("redis", Path.Combine(dataDirectory, "redis"));
        var mail = builder.AddMailSinkProcess("mail", repositoryRoot);
        return new RecoveryInfrastructure(databases[0], databases[1], databases[2], redis, mail, databases[3]);
    }

    private static IResourceBuilder<IResourceWithConnectionString>[] AddPostgresContainer(IDistributedApplicationBuilder builder)
    {
        var postgres = builder.AddPostgres("postgres").WithDataVolume();
        return [.. DatabaseNames.Select(name => postgres.AddDatabase(name))];
    }

    /// <summary>
    /// A Postgres server of yours: the <c>postgres</c> connection string without a database (azd asks for it when
    /// deploying; under <c>dotnet run</c> it is <c>ConnectionStrings:postgres</c>), and a database per service on it.
    /// Each service creates its database on first start and migrates it, as it does on the container.
    /// </summary>
    private static IResourceBuilder<IResourceWithConnectionString>[] AddExternalPostgres(IDistributedApplicationBuilder builder)
    {
        var server = builder.AddConnectionString("postgres");
        return [.. DatabaseNames.Select(name =>
            builder.AddConnectionString(name, ReferenceExpression.Create($"{server.Resource};Database={name}")))];
    }

    private static bool UsesExternalPostgres(ConfigurationManager configuration) =>
        configuration[PostgresKey]?.Trim().ToLowerInvariant() switch
        {
            null or "" or "auto" or "container" => false,
            "external" => true,
            var other => throw new InfrastructureUnavailableException(
                $"{PostgresKey} is '{other}'; use 'external' (a Postgres server of yours, the 'postgres' connection string) "
                + "or leave it unset (the AppHost runs Postgres)."),
        };
}
