using Microsoft.AspNetCore.Routing;

namespace FlexyPe.Console.Extensions;

/// <summary>
/// The console's pages answer <c>HEAD</c> as they answer <c>GET</c> (the same status and headers; the server sends no
/// body), so an uptime check or <c>curl -I</c> sees the redirect to sign-in or the page, not a 404.
/// </summary>
public static class HeadRequests
{
    public static TBuilder AnswerHeadAsGet<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            for (var i = 0; i < endpoint.Metadata.Count; i++)
            {
                if (endpoint.Metadata[i] is IHttpMethodMetadata { HttpMethods: var methods } methodMetadata
                    && methods.Contains(HttpMethods.Get, StringComparer.OrdinalIgnoreCase)
                    && !methods.Contains(HttpMethods.Head, StringComparer.OrdinalIgnoreCase))
                {
                    endpoint.Metadata[i] = new HttpMethodMetadata([.. methods, HttpMethods.Head], methodMetadata.AcceptCorsPreflight);
                }
            }
        });
        return builder;
    }
}
