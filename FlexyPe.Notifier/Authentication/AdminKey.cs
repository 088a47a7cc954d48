using System.Security.Cryptography;
using System.Text;

namespace FlexyPe.Notifier.Authentication;

/// <summary>
/// The operator and internal APIs answer only to <c>Authorization: Bearer &lt;Admin:ApiKey&gt;</c>, compared in
/// constant time; anything else is a 401 problem. With no key configured, nothing gets in.
/// </summary>
public static class AdminKey
{
    public static TBuilder RequireAdminKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
        => builder.AddEndpointFilter(async (context, next) =>
        {
            var configured = context.HttpContext.RequestServices.GetRequiredService<IConfiguration>()["Admin:ApiKey"];
            var header = context.HttpContext.Request.Headers.Authorization.ToString();
            const string scheme = "Bearer ";
            var presented = header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : "";

            if (string.IsNullOrEmpty(configured)
                || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(configured)))
            {
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status401Unauthorized,
                    title: "Unauthorized",
                    detail: "Send the admin API key as 'Authorization: Bearer <key>'.");
            }
            return await next(context);
        });
}
