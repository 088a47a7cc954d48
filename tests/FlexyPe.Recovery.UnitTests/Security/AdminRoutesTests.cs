using System.Net;
using System.Net.Http.Headers;
using System.Text;
using FlexyPe.Ingest;
using FlexyPe.Notifier;
using FlexyPe.Workflows;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace FlexyPe.Recovery.UnitTests.Security;

/// <summary>
/// Every route of every service, read from the service's own endpoint data source, refuses a caller without the admin
/// key, unless it is on the short list of public routes below. A route added later is checked without anyone
/// remembering to: it is either refused without the key, or this test fails until it is listed here as public.
/// </summary>
public sealed class AdminRoutesTests(ITestOutputHelper output)
{
    /// <summary>The routes anyone may call, each with what protects it instead.</summary>
    private static readonly Dictionary<string, string> PublicRoutes = new()
    {
        ["GET /health"] = "probes; names each check and its status, nothing else",
        ["GET /alive"] = "probes",
        ["GET /openapi/{documentName}.json"] = "the API's shape, no data",
        ["POST /webhooks/flexype/{kind?}"] = "FlexyPe's own secret (X-Flexype-Authorization), checked below",
        ["GET /unsubscribe/{token}"] = "a Data Protection token, checked below",
        ["POST /unsubscribe/{token}"] = "a Data Protection token, checked below",
        ["GET /c/{token}"] = "click tracking: a signed token naming the link (when the email work has landed)",
    };

    [Fact]
    public Task Every_ingest_route_but_the_public_ones_refuses_a_request_without_the_admin_key()
        => EveryRouteRefusesAsync(new ServiceHost<IngestOptions>(), "ingest");

    [Fact]
    public Task Every_workflows_route_but_the_public_ones_refuses_a_request_without_the_admin_key()
        => EveryRouteRefusesAsync(new ServiceHost<WorkflowsOptions>(), "workflows");

    [Fact]
    public Task Every_notifier_route_but_the_public_ones_refuses_a_request_without_the_admin_key()
        => EveryRouteRefusesAsync(new ServiceHost<NotifierOptions>(), "notifier");

    [Fact]
    public async Task The_webhook_refuses_a_delivery_without_flexypes_secret()
    {
        await using var ingest = new ServiceHost<IngestOptions>();
        using var http = ingest.CreateClient();
        foreach (var secret in new string?[] { null, "wrong", ServiceHost<IngestOptions>.AdminApiKey })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/flexype") { Content = Json("{\"event_id\":\"e1\"}") };
            if (secret is not null)
            {
                request.Headers.Add("X-Flexype-Authorization", secret);
            }
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    private async Task EveryRouteRefusesAsync<T>(ServiceHost<T> service, string name) where T : class
    {
        await using var _ = service;
        using var http = service.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var routes = service.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(method => (Method: method, Pattern: e.RoutePattern)))
            .ToList();

        var guarded = routes.Where(r => !PublicRoutes.ContainsKey(Describe(r.Method, r.Pattern))).ToList();
        // Each service has operator or internal routes; finding none would mean the enumeration is broken.
        Assert.NotEmpty(guarded);

        var failures = new List<string>();
        foreach (var (method, pattern) in guarded)
        {
            var path = Instantiate(pattern);
            output.WriteLine($"{name}: {method} {path}");
            foreach (var authorization in new AuthenticationHeaderValue?[]
            {
                null,
                new("Bearer", "not-the-key"),
                new("Bearer", ""),
                new("Basic", ServiceHost<T>.AdminApiKey),
                new("Bearer", ServiceHost<T>.AdminApiKey + "x"),
            })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                request.Headers.Authorization = authorization;
                if (method is "POST" or "PUT" or "PATCH")
                {
                    // Not even valid JSON: the key is checked before anything is read or bound.
                    request.Content = Json("{\"broken\":");
                }
                using var response = await http.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode != HttpStatusCode.Unauthorized
                    || response.Content.Headers.ContentType?.MediaType != "application/problem+json"
                    || body.Contains(ServiceHost<T>.AdminApiKey, StringComparison.Ordinal))
                {
                    failures.Add($"{method} {pattern.RawText} with {authorization?.Scheme ?? "no"} authorization: {(int)response.StatusCode} {body}");
                }
            }
        }
        Assert.True(failures.Count == 0, $"{name} routes answering a request without the admin key:\n" + string.Join('\n', failures));
    }

    private static string Describe(string method, RoutePattern pattern) => $"{method} {pattern.RawText}";

    /// <summary>A concrete path for the pattern: a value of the right kind for each parameter.</summary>
    private static string Instantiate(RoutePattern pattern)
    {
        var path = new StringBuilder();
        foreach (var segment in pattern.PathSegments)
        {
            path.Append('/');
            foreach (var part in segment.Parts)
            {
                path.Append(part switch
                {
                    RoutePatternLiteralPart literal => literal.Content,
                    RoutePatternSeparatorPart separator => separator.Content,
                    RoutePatternParameterPart parameter => ValueFor(parameter),
                    _ => throw new NotSupportedException(part.GetType().Name),
                });
            }
        }
        return path.Length == 0 ? "/" : path.ToString();
    }

    private static string ValueFor(RoutePatternParameterPart parameter)
    {
        var constraints = parameter.ParameterPolicies.Select(p => p.Content).ToList();
        if (constraints.Contains("guid"))
        {
            return Guid.NewGuid().ToString();
        }
        if (constraints.Contains("int") || constraints.Contains("long"))
        {
            return "1";
        }
        return "x1";
    }

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");
}
