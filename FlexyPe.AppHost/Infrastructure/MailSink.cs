namespace FlexyPe.AppHost.Infrastructure;

/// <summary>
/// smtp4dev: an SMTP server that keeps every message and shows it in a web UI (and a REST API at <c>/api/messages</c>).
/// Its connection string is <c>smtp://host:port</c>, the shape a real provider's takes too.
/// </summary>
public interface IMailSinkResource : IResourceWithConnectionString, IResourceWithEndpoints
{
    internal const string SmtpEndpointName = "smtp";
    internal const string WebEndpointName = "http";

    internal static ReferenceExpression SmtpConnectionString(IMailSinkResource sink)
    {
        var smtp = sink.GetEndpoint(SmtpEndpointName);
        return ReferenceExpression.Create(
            $"smtp://{smtp.Property(EndpointProperty.Host)}:{smtp.Property(EndpointProperty.Port)}");
    }
}

public sealed class MailSinkContainerResource(string name) : ContainerResource(name), IMailSinkResource
{
    public ReferenceExpression ConnectionStringExpression => IMailSinkResource.SmtpConnectionString(this);
}

public sealed class MailSinkExecutableResource(string name, string workingDirectory)
    : ExecutableResource(name, "dotnet", workingDirectory), IMailSinkResource
{
    public ReferenceExpression ConnectionStringExpression => IMailSinkResource.SmtpConnectionString(this);
}

public static class MailSink
{
    public const int DefaultWebPort = 5400;
    public const int DefaultSmtpPort = 2525;

    public static IResourceBuilder<MailSinkContainerResource> AddMailSinkContainer(
        this IDistributedApplicationBuilder builder, string name)
        => builder.AddResource(new MailSinkContainerResource(name))
            .WithImage("rnwood/smtp4dev", "v3")
            .WithHttpEndpoint(port: DefaultWebPort, targetPort: 80, name: IMailSinkResource.WebEndpointName)
            .WithEndpoint(port: DefaultSmtpPort, targetPort: 25, name: IMailSinkResource.SmtpEndpointName, scheme: "tcp")
            .WithHttpHealthCheck("/api/messages", endpointName: IMailSinkResource.WebEndpointName);

    /// <summary>smtp4dev from the repository's dotnet tool manifest, restored before it starts.</summary>
    public static IResourceBuilder<MailSinkExecutableResource> AddMailSinkProcess(
        this IDistributedApplicationBuilder builder, string name, string repositoryRoot)
    {
        var resource = new MailSinkExecutableResource(name, repositoryRoot);
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(resource, async (_, ct) =>
        {
            using var restore = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("dotnet", "tool restore")
            {
                WorkingDirectory = repositoryRoot,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            await restore.WaitForExitAsync(ct);
        });

        return builder.AddResource(resource)
            .WithHttpEndpoint(port: DefaultWebPort, name: IMailSinkResource.WebEndpointName)
            .WithEndpoint(port: DefaultSmtpPort, name: IMailSinkResource.SmtpEndpointName, scheme: "tcp")
            .WithArgs(context =>
            {
                var web = resource.GetEndpoint(IMailSinkResource.WebEndpointName);
                var smtp = resource.GetEndpoint(IMailSinkResource.SmtpEndpointName);
                context.Args.Add("tool");
                context.Args.Add("run");
                context.Args.Add("smtp4dev");
                context.Args.Add("--");
                context.Args.Add(ReferenceExpression.Create($"--urls=http://127.0.0.1:{web.Property(EndpointProperty.TargetPort)}"));
                context.Args.Add(ReferenceExpression.Create($"--smtpport={smtp.Property(EndpointProperty.TargetPort)}"));
                context.Args.Add("--imapport=0");
                context.Args.Add("--pop3port=0");
                context.Args.Add("--bindaddress=127.0.0.1");
                context.Args.Add("--nousersettings");
                // An empty path keeps messages in memory.
                context.Args.Add("--db=");
            })
            .WithHttpHealthCheck("/api/messages", endpointName: IMailSinkResource.WebEndpointName);
    }
}
