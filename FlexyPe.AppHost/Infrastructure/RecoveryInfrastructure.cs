using Microsoft.Extensions.Configuration;

namespace FlexyPe.AppHost.Infrastructure;

/// <summary>The shared infrastructure the services reference, the same shape in either <see cref="InfrastructureMode"/>.</summary>
public sealed record RecoveryInfrastructure(
    InfrastructureMode Mode,
    IResourceBuilder<IResourceWithConnectionString> IngestDb,
    IResourceBuilder<IResourceWithConnectionString> WorkflowsDb,
    IResourceBuilder<IResourceWithConnectionString> NotifierDb,
    IResourceBuilder<IResourceWithConnectionString> Redis,
    IResourceBuilder<IResourceWithConnectionString> Mail,
    IResourceBuilder<IResourceWithConnectionString> ConsoleDb);

public static class RecoveryInfrastructureExtensions
{
    public const string DataDirectoryKey = "Infrastructure:DataDirectory";

    /// <summary>
    /// One Postgres server with a database per service, Redis and an SMTP sink: containers where a container runtime
    /// answers, the machine's own programs where none does (<c>Infrastructure:Mode</c> forces either).
    /// </summary>
    public static RecoveryInfrastructure AddRecoveryInfrastructure(this IDistributedApplicationBuilder builder)
    {
        return TryAddRecoveryInfrastructure(builder, Console.Error)
            ?? throw new InfrastructureUnavailableException("No way to run the infrastructure; see the message above.");
    }

    /// <summary>
    /// <see cref="AddRecoveryInfrastructure"/>, except that when neither way is possible it writes the one message saying
    /// what to install to <paramref name="error"/> (standard error by default) and returns null, so the AppHost can stop
    /// at once without a stack trace.
    /// </summary>
    public static RecoveryInfrastructure? TryAddRecoveryInfrastructure(this IDistributedApplicationBuilder builder, TextWriter? error = null)
    {
        try
        {
            return AddChosenInfrastructure(builder);
        }
        catch (InfrastructureUnavailableException e)
        {
            (error ?? Console.Error).WriteLine(e.Message);
            return null;
        }
    }

    private static RecoveryInfrastructure AddChosenInfrastructure(IDistributedApplicationBuilder builder)
    {
        var mode = InfrastructureModeChooser.Choose(
            builder.Configuration[InfrastructureModeChooser.ConfigurationKey],
            builder.ExecutionContext.IsPublishMode,
            new MachineProbe());

        return mode == InfrastructureMode.Containers ? AddContainers(builder) : AddLocalProcesses(builder);
    }

    private static RecoveryInfrastructure AddContainers(IDistributedApplicationBuilder builder)
    {
        var postgres = builder.AddPostgres("postgres").WithDataVolume();
        var redis = builder.AddRedis("redis");
        var mail = builder.AddMailSinkContainer("mail");
        return new RecoveryInfrastructure(
            InfrastructureMode.Containers,
            postgres.AddDatabase("ingestdb"),
            postgres.AddDatabase("workflowsdb"),
            postgres.AddDatabase("notifierdb"),
            redis,
            mail,
            postgres.AddDatabase("consoledb"));
    }

    private static RecoveryInfrastructure AddLocalProcesses(IDistributedApplicationBuilder builder)
    {
        var repositoryRoot = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));
        // A stable, git-ignored folder by default, so configured sequences survive a restart; tests pass a temporary one.
        var dataDirectory = Path.GetFullPath(
            builder.Configuration[DataDirectoryKey] ?? Path.Combine(repositoryRoot, ".data"));

        var postgres = builder.AddLocalPostgres("postgres", Path.Combine(dataDirectory, "postgres"));
        var redis = builder.AddLocalRedis("redis", Path.Combine(dataDirectory, "redis"));
        var mail = builder.AddMailSinkProcess("mail", repositoryRoot);
        return new RecoveryInfrastructure(
            InfrastructureMode.LocalProcesses,
            postgres.AddDatabase("ingestdb"),
            postgres.AddDatabase("workflowsdb"),
            postgres.AddDatabase("notifierdb"),
            redis,
            mail,
            postgres.AddDatabase("consoledb"));
    }
}
