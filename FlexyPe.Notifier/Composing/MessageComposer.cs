using System.Net;
using System.Security.Cryptography;
using System.Text;
using AngleSharp;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using FlexyPe.Notifier.Clicks;
using FlexyPe.Notifier.Dkim;
using FlexyPe.Notifier.Model;
using FlexyPe.Notifier.Unsubscribe;
using Microsoft.Extensions.Options;
using MimeKit;

namespace FlexyPe.Notifier.Composing;

/// <summary>
/// Turns a <see cref="MessageRequest"/> into the MIME message that is sent: the shopper's unsubscribe link where the
/// template placed <see cref="UnsubscribePlaceholder"/> (else a footer link), web links rewritten through click
/// tracking when the store wants it, CSS inlined, a plain-text alternative, the store's From and Reply-To, a
/// Message-ID derived from the idempotency key, RFC 8058 one-click unsubscribe headers, and a DKIM signature when the
/// From domain has a key.
/// </summary>
public sealed class MessageComposer(IOptions<NotifierOptions> options, UnsubscribeTokens tokens, ClickTokens clicks, DkimSigning dkim)
{
    public const string FooterClass = "flexype-unsubscribe";

    /// <summary>
    /// What a template writes where the unsubscribe link goes (Workflows renders <c>{{ unsubscribe_url }}</c> to it);
    /// replaced by the shopper's own signed link in the HTML and the text part.
    /// </summary>
    public const string UnsubscribePlaceholder = "%%unsubscribe_url%%";

    /// <summary>Style blocks PreMailer leaves alone: media queries (phone layout, dark mode) cannot be inlined.</summary>
    public const string KeepStyleSelector = "style[data-premailer=\"ignore\"]";

    /// <summary>The same key always gives the same Message-ID, so a resend after a crash is recognisable as one.</summary>
    public string MessageIdFor(string storeId, string idempotencyKey, string? from = null)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey)))[..32];
        return $"{hash}@{FromFor(storeId, from).Domain}";
    }

    /// <summary>The message as it is sent. Records the tracked links' URLs on <paramref name="request"/> (<see cref="MessageRequest.TrackedLinks"/>).</summary>
    public MimeMessage Compose(MessageRequest request)
    {
        var settings = options.Value.StoreSettingsFor(request.StoreId);
        var from = FromFor(request.StoreId, request.From);
        var replyTo = request.ReplyTo ?? settings.ReplyTo;
        var unsubscribeUrl = UnsubscribeUrl(request.StoreId, request.To);

        var message = new MimeMessage();
        message.From.Add(from);
        if (!string.IsNullOrWhiteSpace(replyTo))
        {
            message.ReplyTo.Add(MailboxAddress.Parse(replyTo));
        }
        message.To.Add(MailboxAddress.Parse(request.To));
        message.Subject = request.Subject;
        message.MessageId = request.MessageId;
        message.Date = request.CreatedAt;
        message.Headers.Add("List-Unsubscribe", $"<{unsubscribeUrl}>, <mailto:{from.Address}?subject=unsubscribe>");
        message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");

        // One mechanism for the unsubscribe link: the template's placeholder becomes the shopper's link; a template
        // without one gets the footer link.
        var placed = request.HtmlBody.Contains(UnsubscribePlaceholder, StringComparison.Ordinal);
        var document = new HtmlParser().ParseDocument(
            request.HtmlBody.Replace(UnsubscribePlaceholder, WebUtility.HtmlEncode(unsubscribeUrl), StringComparison.Ordinal));
        request.TrackedLinks = request.TrackClicks
            ? LinkTracking.Rewrite(document, request.Id, options.Value.PublicBaseUrl, clicks)
            : [];
        RemoveComments(document);
        var renderedText = string.IsNullOrWhiteSpace(request.TextBody) ? PlainTextRenderer.Render(document) : null;
        if (!placed)
        {
            AppendFooter(document, request.StoreName ?? from.Name, unsubscribeUrl);
        }
        var html = InlineCss(document);

        var given = renderedText ?? request.TextBody!;
        var text = renderedText is null && given.Contains(UnsubscribePlaceholder, StringComparison.Ordinal)
            ? given.Replace(UnsubscribePlaceholder, unsubscribeUrl, StringComparison.Ordinal).TrimEnd() + "\n"
            : renderedText is not null && placed
                ? renderedText + "\n"
                : given.TrimEnd() + $"\n\n--\nUnsubscribe: {unsubscribeUrl}\n";
        message.Body = new BodyBuilder { HtmlBody = html, TextBody = text }.ToMessageBody();
        dkim.TrySign(message);
        return message;
    }

    public string UnsubscribeUrl(string storeId, string email)
        => $"{options.Value.PublicBaseUrl.TrimEnd('/')}/unsubscribe/{tokens.Create(storeId, email)}";

    /// <summary>The sender Workflows gave (the store's settings), else this store's configured one, else the default.</summary>
    private MailboxAddress FromFor(string storeId, string? requested)
        => MailboxAddress.Parse(requested ?? options.Value.StoreSettingsFor(storeId).From ?? options.Value.DefaultFrom);

    private static void AppendFooter(IHtmlDocument document, string? storeName, string unsubscribeUrl)
    {
        var footer = document.CreateElement("p");
        footer.ClassName = FooterClass;
        footer.SetAttribute("style", "font-size:12px;color:#6b7280;margin-top:24px;");
        var from = string.IsNullOrWhiteSpace(storeName) ? "these emails" : $"emails from {WebUtility.HtmlEncode(storeName)}";
        footer.InnerHtml = $"Don't want {from}? <a href=\"{WebUtility.HtmlEncode(unsubscribeUrl)}\">Unsubscribe</a>.";
        document.Body!.AppendChild(footer);
    }

    /// <summary>
    /// Drops comments (a template's notes are not for the shopper) except Outlook's conditional comments
    /// (<c>&lt;!--[if mso]&gt;</c> … <c>&lt;![endif]--&gt;</c>), which carry its fixed-width frame.
    /// </summary>
    private static void RemoveComments(IHtmlDocument document)
    {
        foreach (var comment in document.Descendants<IComment>().ToList())
        {
            var data = comment.Data.TrimStart();
            if (!data.StartsWith("[if", StringComparison.OrdinalIgnoreCase) && !data.StartsWith("<![endif]", StringComparison.OrdinalIgnoreCase))
            {
                comment.Remove();
            }
        }
    }

    // Mail clients (Gmail among them) drop <style> blocks, so the rules go onto each element's style attribute; blocks
    // marked data-premailer="ignore" (media queries) stay in the head for the clients that read them. A body with
    // nothing to inline (the seeded templates write their styles inline) is served as it is.
    private static string InlineCss(IHtmlDocument document)
    {
        if (document.QuerySelector($"style:not([data-premailer=\"ignore\"]), link[rel=stylesheet]") is null)
        {
            return document.ToHtml();
        }
        using var premailer = new PreMailer.Net.PreMailer(document);
        return premailer.MoveCssInline(removeStyleElements: true, ignoreElements: KeepStyleSelector, removeComments: false).Html;
    }
}
