using AngleSharp.Html.Dom;

namespace FlexyPe.Notifier.Clicks;

/// <summary>
/// Rewrites a message's web links through <c>{PublicBaseUrl}/c/{token}</c>, in document order, and returns the
/// original URLs in that order: the list the redirect reads (link index = position). Unsubscribe links, mailto:, tel:
/// and in-page anchors stay as they are.
/// </summary>
public static class LinkTracking
{
    public static List<string> Rewrite(IHtmlDocument document, Guid messageId, string publicBaseUrl, ClickTokens tokens)
    {
        var baseUrl = publicBaseUrl.TrimEnd('/');
        var links = new List<string>();
        foreach (var anchor in document.QuerySelectorAll("a[href]"))
        {
            var href = anchor.GetAttribute("href")!.Trim();
            if (!Uri.TryCreate(href, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
                || href.StartsWith(baseUrl + "/unsubscribe/", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            anchor.SetAttribute("href", $"{baseUrl}/c/{tokens.Create(messageId, links.Count)}");
            links.Add(href);
        }
        return links;
    }
}
