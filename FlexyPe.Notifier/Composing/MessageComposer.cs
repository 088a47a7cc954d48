using System.Net;
using System.Security.Cryptography;
using System.Text;
using AngleSharp.Html.Parser;
using FlexyPe.Notifier.Model;
using FlexyPe.Notifier.Unsubscribe;
using Microsoft.Extensions.Options;
using MimeKit;

namespace FlexyPe.Notifier.Composing;

/// <summary>
/// Turns a <see cref="MessageRequest"/> into the MIME message that is sent: CSS inlined, a plain-text alternative,
/// the store's From and Reply-To, a Message-ID derived from the idempotency key, RFC 8058 one-click unsubscribe
/// headers and an unsubscribe link in the footer.
/// </summary>
public sealed class MessageComposer(IOptions<NotifierOptions> options, UnsubscribeTokens tokens)
{
    public const string FooterClass = "flexype-unsubscribe";

    /// <summary>The same key always gives the same Message-ID, so a resend after a crash is recognisable as one.</summary>
    public string MessageIdFor(string storeId, string idempotencyKey, string? from = null)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey)))[..32];
        return $"{hash}@{FromFor(storeId, from).Domain}";
    }

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

        var html = InlineCss(WithFooter(request.HtmlBody, request.StoreName ?? from.Name, unsubscribeUrl));
        var text = (string.IsNullOrWhiteSpace(request.TextBody) ? PlainTextRenderer.Render(request.HtmlBody) : request.TextBody.TrimEnd())
            + $"\n\n--\nUnsubscribe: {unsubscribeUrl}\n";
        message.Body = new BodyBuilder { HtmlBody = html, TextBody = text }.ToMessageBody();
        return message;
    }

    public string UnsubscribeUrl(string storeId, string email)
        => $"{options.Value.PublicBaseUrl.TrimEnd('/')}/unsubscribe/{tokens.Create(storeId, email)}";

    /// <summary>The sender Workflows gave (the store's settings), else this store's configured one, else the default.</summary>
    private MailboxAddress FromFor(string storeId, string? requested)
        => MailboxAddress.Parse(requested ?? options.Value.StoreSettingsFor(storeId).From ?? options.Value.DefaultFrom);

    private static string WithFooter(string html, string? storeName, string unsubscribeUrl)
    {
        var document = new HtmlParser().ParseDocument(html);
        var footer = document.CreateElement("p");
        footer.ClassName = FooterClass;
        footer.SetAttribute("style", "font-size:12px;color:#6b7280;margin-top:24px;");
        var from = string.IsNullOrWhiteSpace(storeName) ? "these emails" : $"emails from {WebUtility.HtmlEncode(storeName)}";
        footer.InnerHtml = $"Don't want {from}? <a href=\"{WebUtility.HtmlEncode(unsubscribeUrl)}\">Unsubscribe</a>.";
        document.Body!.AppendChild(footer);
        return document.DocumentElement.OuterHtml;
    }

    // Mail clients (Gmail among them) drop <style> blocks, so the rules go onto each element's style attribute.
    private static string InlineCss(string html)
        => PreMailer.Net.PreMailer.MoveCssInline(html, removeStyleElements: true, removeComments: true).Html;
}
