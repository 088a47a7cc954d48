using System.Security.Cryptography;
using System.Text;

namespace FlexyPe.Workflows.Security;

/// <summary>Operator and internal endpoints require <c>Authorization: Bearer &lt;Admin:ApiKey&gt;</c>, compared in constant time.</summary>
public static class AdminKey
{
    public static RouteGroupBuilder RequireAdminKey(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var expected = http.RequestServices.GetRequiredService<IConfiguration>()["Admin:ApiKey"];
            var header = http.Request.Headers.Authorization.ToString();
            const string scheme = "Bearer ";
            var presented = header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : null;
            if (string.IsNullOrEmpty(expected) || presented is null || !Matches(presented, expected))
            {
                http.Response.Headers.WWWAuthenticate = "Bearer";
                return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "A valid admin API key is required.");
            }
            return await next(context);
        });
        return group;
    }

    // Hashing first makes both sides the same length, so the comparison time says nothing about the key.
    private static bool Matches(string presented, string expected)
        => CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
