using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The operator APIs and the internal hand-off endpoints take <c>Authorization: Bearer &lt;admin-api-key&gt;</c>, the
/// Aspire parameter the AppHost passes to every service as <c>Admin:ApiKey</c>.
/// </summary>
public static class AdminApiKey
{
    public const string ConfigurationKey = "Admin:ApiKey";

    public static TBuilder RequireAdminApiKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
        => builder.AddEndpointFilter(async (context, next) =>
        {
            var configured = context.HttpContext.RequestServices.GetRequiredService<IConfiguration>()[ConfigurationKey];
            var header = context.HttpContext.Request.Headers.Authorization.ToString();
            const string scheme = "Bearer ";
            var presented = header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : null;

            if (string.IsNullOrEmpty(configured) || presented is null || !Matches(presented, configured))
            {
                return TypedResults.Problem(
                    title: "Unauthorized",
                    detail: "This endpoint needs 'Authorization: Bearer <admin-api-key>'.",
                    statusCode: StatusCodes.Status401Unauthorized);
            }

            return await next(context);
        });

    /// <summary>Constant-time comparison; hashing first makes the lengths equal so nothing leaks through timing.</summary>
    public static bool Matches(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
