using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace FlexyPe.Console.Telemetry;

/// <summary>
/// The console's spans and metrics, under "FlexyPe.Console" (exported by the service defaults): sign-ins by outcome and
/// every change sent to a service, with its role check's outcome. They carry roles, services and outcomes, never an
/// email, a name or a key.
/// </summary>
public sealed class ConsoleTelemetry
{
    public const string Name = "FlexyPe.Console";

    public static readonly ActivitySource Source = new(Name);
    private readonly Counter<long> signIns;
    private readonly Counter<long> changes;

    public ConsoleTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Name);
        signIns = meter.CreateCounter<long>("flexype.console.sign_ins", "{sign-in}",
            "Sign-in attempts by outcome: succeeded, failed, locked_out, first_admin, invitation.");
        changes = meter.CreateCounter<long>("flexype.console.changes", "{change}",
            "Changes sent to a service by service and outcome: accepted, refused_role, rejected (4xx), unreachable.");
    }

    public void SignIn(string outcome) => signIns.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>A span around one change, tagged with the service and (once known) its outcome.</summary>
    public Activity? StartChange(string service, string method) =>
        Source.StartActivity($"console change {service}", ActivityKind.Internal)
            ?.SetTag("flexype.console.service", service)
            .SetTag("http.request.method", method);

    public void Change(Activity? activity, string service, string outcome)
    {
        activity?.SetTag("flexype.console.outcome", outcome);
        if (outcome is "refused_role" or "rejected" or "unreachable")
        {
            activity?.SetStatus(ActivityStatusCode.Error, outcome);
        }
        changes.Add(1, new KeyValuePair<string, object?>("service", service), new KeyValuePair<string, object?>("outcome", outcome));
    }
}
