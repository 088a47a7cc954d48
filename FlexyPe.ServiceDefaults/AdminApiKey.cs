using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>The <c>Admin:</c> settings: the key of the operator APIs and the internal hand-offs (the AppHost's <c>admin-api-key</c>).</summary>
public sealed class AdminOptions
{
    public const string Section = "Admin";

    public string? ApiKey { get; set; }
}

/// <summary>
/// The operator APIs and the internal hand-off endpoints take <c>Authorization: Bearer &lt;admin-api-key&gt;</c>, the
/// Aspire parameter the AppHost passes to every service as <c>Admin__ApiKey</c>. A service without the key does not
/// start: it could neither call the others nor be called.
/// </summary>
public static class AdminApiKey
{
    private const string Scheme = "Bearer";

    /// <summary>Binds and requires <c>Admin:ApiKey</c> (checked at start-up), and registers the handler that sends it.</summary>
    public static IServiceCollection AddAdminApiKey(this IServiceCollection services)
    {
        services.AddOptions<AdminOptions>()
            .BindConfiguration(AdminOptions.Section)
            .Validate(o => !string.IsNullOrWhiteSpace(o.ApiKey),
                "Admin:ApiKey is not set. The AppHost passes its admin-api-key parameter as Admin__ApiKey; a service run on its own needs it in the environment.")
            .ValidateOnStart();
        services.AddTransient<AdminApiKeyHandler>();
        return services;
    }

    /// <summary>Puts the admin key on every request of this client (the internal hand-offs between the services).</summary>
    public static IHttpClientBuilder AddAdminApiKey(this IHttpClientBuilder client) => client.AddHttpMessageHandler<AdminApiKeyHandler>();

    /// <summary>
    /// Refuses a request without the admin key with 401 problem+json. The check wraps the endpoint's whole request
    /// delegate, so it runs before the body and parameters are bound: a caller without the key learns nothing of what
    /// the endpoint would accept (an endpoint filter would only run after binding had answered 400).
    /// </summary>
    public static TBuilder RequireAdminApiKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            var inner = endpoint.RequestDelegate ?? throw new InvalidOperationException($"{endpoint.DisplayName} has no request delegate.");
            endpoint.RequestDelegate = context => Presented(context) ? inner(context) : Unauthorized().ExecuteAsync(context);
        });
        return builder;
    }

    // A new result each time: writing a problem adds to its extensions (the trace id).
    private static ProblemHttpResult Unauthorized() => TypedResults.Problem(
        title: "Unauthorized",
        detail: "This endpoint needs 'Authorization: Bearer <admin-api-key>'.",
        statusCode: StatusCodes.Status401Unauthorized);

    private static bool Presented(HttpContext context)
    {
        var configured = context.RequestServices.GetRequiredService<IOptions<AdminOptions>>().Value.ApiKey;
        var header = context.Request.Headers.Authorization.ToString();
        var presented = header.StartsWith(Scheme + " ", StringComparison.OrdinalIgnoreCase) ? header[(Scheme.Length + 1)..].Trim() : null;
        return !string.IsNullOrEmpty(configured) && presented is not null && Matches(presented, configured);
    }

    /// <summary>Constant-time comparison; hashing first makes the lengths equal so nothing leaks through timing.</summary>
    public static bool Matches(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    /// <summary>Sends <c>Authorization: Bearer &lt;Admin:ApiKey&gt;</c>.</summary>
    public sealed class AdminApiKeyHandler(IOptions<AdminOptions> options) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue(Scheme, options.Value.ApiKey);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
