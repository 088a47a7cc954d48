using System.Net.Http.Json;
using FlexyPe.Console.Accounts;
using FlexyPe.Console.Telemetry;

namespace FlexyPe.Console.Clients;

/// <summary>
/// What the three typed clients share: JSON in the services' shape, answers as <see cref="ApiResult{T}"/>, a service
/// that does not answer as a problem rather than an exception, and for every change the signed-in person's role checked
/// here, on the server, and their name sent as <c>X-FlexyPe-Actor</c>.
/// </summary>
public abstract class ServiceClient(HttpClient http, SignedInUser user, ConsoleTelemetry telemetry, ILogger logger, string service)
{
    public const string ActorHeader = "X-FlexyPe-Actor";

    protected HttpClient Http => http;

    protected async Task<ApiResult<T>> GetAsync<T>(string url, CancellationToken ct)
    {
        try
        {
            using var response = await http.GetAsync(url, ct);
            return await ServiceJson.ReadAsync<T>(response, ct);
        }
        catch (HttpRequestException)
        {
            return ApiProblem.Unreachable(service);
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return ApiProblem.Unreachable(service);
        }
    }

    /// <summary>A POST that reads but changes nothing (a preview): no role needed.</summary>
    protected async Task<ApiResult<T>> QueryAsync<T>(string url, object body, CancellationToken ct)
    {
        try
        {
            using var response = await http.PostAsJsonAsync(url, body, ServiceJson.Options, ct);
            return await ServiceJson.ReadAsync<T>(response, ct);
        }
        catch (HttpRequestException)
        {
            return ApiProblem.Unreachable(service);
        }
    }

    /// <summary>A change: refused here unless the signed-in person's role allows it; otherwise sent with their name.</summary>
    protected async Task<ApiResult<T>> ChangeAsync<T>(HttpMethod method, string url, object? body, string allowedRoles, CancellationToken ct)
    {
        using var activity = telemetry.StartChange(service, method.Method);
        var actor = await user.RequireAsync(allowedRoles);
        if (actor.Problem is { } refused)
        {
            telemetry.Change(activity, service, "refused_role");
            logger.LogWarning("A change to {Service} was refused: the signed-in role may not make it", service);
            return refused;
        }
        using var request = new HttpRequestMessage(method, url);
        request.Headers.Add(ActorHeader, actor.Name);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: ServiceJson.Options);
        }
        try
        {
            using var response = await http.SendAsync(request, ct);
            var result = await ServiceJson.ReadAsync<T>(response, ct);
            telemetry.Change(activity, service, result.Succeeded ? "accepted" : "rejected");
            if (!result.Succeeded)
            {
                logger.LogInformation("{Service} refused a change with {StatusCode}", service, (int)response.StatusCode);
            }
            return result;
        }
        catch (HttpRequestException)
        {
            telemetry.Change(activity, service, "unreachable");
            logger.LogWarning("{Service} did not answer a change", service);
            return ApiProblem.Unreachable(service);
        }
    }

    protected static string Query(params (string Name, string? Value)[] parameters)
    {
        var present = parameters.Where(p => !string.IsNullOrWhiteSpace(p.Value))
            .Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!.Trim())}").ToList();
        return present.Count == 0 ? "" : "?" + string.Join("&", present);
    }

    protected static string Segment(string value) => Uri.EscapeDataString(value);
}
