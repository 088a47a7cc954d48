using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using FlexyPe.Recovery.StackTests.Stack;
using MimeKit;

namespace FlexyPe.Recovery.StackTests.Notifier;

/// <summary>Message requests posted to the Notifier of the whole stack, read back from smtp4dev.</summary>
[Collection(RecoveryStackCollection.Name)]
public sealed class NotifierSendingTests(RecoveryStack stack) : IDisposable
{
    private readonly HttpClient notifierHttp = stack.CreateHttpClient("notifier");
    private readonly HttpClient mailHttp = new() { BaseAddress = stack.App.GetEndpoint("mail", "http") };

    private NotifierClient Notifier => new(notifierHttp, stack.AdminApiKey);
    private MailSink Mail => new(mailHttp);

    private static string NewAddress() => $"shopper-{Guid.NewGuid():N}@example.test";

    [Fact]
    public async Task The_message_that_arrives_has_the_subject_both_bodies_the_unsubscribe_headers_and_the_footer_link()
    {
        var to = NewAddress();
        const string html = """
            <html><head><style>.cta { color: #ff0000; }</style></head>
            <body><h1>Still thinking it over?</h1><p class="cta">Your <b>Gluten-Free</b> bread is waiting.</p>
            <a href="https://shop.example/cart">Back to your cart</a></body></html>
            """;
        await Notifier.SendAsync(NotifierClient.Request($"k-{Guid.NewGuid()}", to, subject: "You left something behind", html: html));

        var arrived = await Mail.OneMessageToAsync(to);
        var id = arrived.GetProperty("id").GetString()!;
        var mime = await MimeMessage.LoadAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(await Mail.RawAsync(id))));

        Assert.Equal("You left something behind", mime.Subject);
        Assert.Equal("recovery@localhost", mime.From.Mailboxes.Single().Address);

        // HTML: CSS inlined, <style> gone, footer with the unsubscribe link.
        Assert.NotNull(mime.HtmlBody);
        Assert.DoesNotContain("<style", mime.HtmlBody, StringComparison.OrdinalIgnoreCase);
        Assert.Matches(new Regex("""class="cta"[^>]*style="[^"]*color: ?#ff0000""", RegexOptions.IgnoreCase), mime.HtmlBody);
        var footerLink = Regex.Match(mime.HtmlBody, """<a href="(?<url>[^"]+/unsubscribe/[^"]+)">Unsubscribe</a>""");
        Assert.True(footerLink.Success, "the HTML footer has an unsubscribe link");

        // Plain text made from the HTML: words, the link's address, and the unsubscribe link.
        Assert.NotNull(mime.TextBody);
        Assert.Contains("Your Gluten-Free bread is waiting.", mime.TextBody, StringComparison.Ordinal);
        Assert.Contains("Back to your cart (https://shop.example/cart)", mime.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("color", mime.TextBody, StringComparison.Ordinal);
        Assert.Contains("/unsubscribe/", mime.TextBody, StringComparison.Ordinal);

        // RFC 8058: an http(s) one-click URL and a mailto, and the one-click POST marker.
        var listUnsubscribe = mime.Headers["List-Unsubscribe"];
        Assert.Matches(new Regex("""^<https?://[^>]+/unsubscribe/[^>]+>, <mailto:[^>]+>$"""), listUnsubscribe);
        Assert.Equal("List-Unsubscribe=One-Click", mime.Headers["List-Unsubscribe-Post"]);
        Assert.Contains(WebUtility.HtmlDecode(footerLink.Groups["url"].Value), listUnsubscribe, StringComparison.Ordinal);
        Assert.Matches(new Regex("^[0-9a-f]{32}@localhost$"), mime.MessageId);
    }

    [Fact]
    public async Task A_repeated_idempotency_key_returns_the_existing_request_and_sends_one_message()
    {
        var to = NewAddress();
        var key = $"enrollment:{Guid.NewGuid()}:step:1";

        using var first = await Notifier.PostRequestAsync(NotifierClient.Request(key, to));
        using var second = await Notifier.PostRequestAsync(NotifierClient.Request(key, to));
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var firstId = (await first.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetString()!;
        var secondId = (await second.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetString()!;
        Assert.Equal(firstId, secondId);

        Assert.Equal("sent", await Notifier.FinalStatusAsync(firstId));
        using var third = await Notifier.PostRequestAsync(NotifierClient.Request(key, to));
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);

        // A later message to the same address arrives; by then a duplicate of the first would have too.
        var laterId = await Notifier.SendAsync(NotifierClient.Request($"{key}:later", to, subject: "Later"));
        Assert.Equal("sent", await Notifier.FinalStatusAsync(laterId));
        await Eventually.TrueAsync(async () => (await Mail.MessagesToAsync(to)).Any(m => m.GetProperty("subject").GetString() == "Later"), "the later message");

        var subjects = (await Mail.MessagesToAsync(to)).Select(m => m.GetProperty("subject").GetString()).Order().ToList();
        Assert.Equal(["Later", "You left something behind"], subjects);
    }

    [Fact]
    public async Task One_click_unsubscribe_stops_the_next_message_to_that_address()
    {
        var to = NewAddress();
        await Notifier.SendAsync(NotifierClient.Request($"k-{Guid.NewGuid()}", to, subject: "First"));
        var arrived = await Mail.OneMessageToAsync(to);
        var raw = await Mail.RawAsync(arrived.GetProperty("id").GetString()!);
        var mime = await MimeMessage.LoadAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(raw)));
        var oneClickUrl = new Uri(Regex.Match(mime.Headers["List-Unsubscribe"] ?? "", "<(https?://[^>]+)>").Groups[1].Value);

        // What a mail client does for RFC 8058 one-click (the path is on this stack's Notifier).
        using var oneClick = await notifierHttp.PostAsync(oneClickUrl.PathAndQuery,
            new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
        Assert.Equal(HttpStatusCode.OK, oneClick.StatusCode);

        var nextId = await Notifier.SendAsync(NotifierClient.Request($"k-{Guid.NewGuid()}", to, subject: "Second"));
        Assert.Equal("suppressed", await Notifier.FinalStatusAsync(nextId));
        var suppression = await Notifier.GetJsonAsync($"/api/suppressions/test-store.myshopify.com/{Uri.EscapeDataString(to)}");
        Assert.Equal("unsubscribed", suppression.GetProperty("reason").GetString());
        Assert.Equal(["First"], (await Mail.MessagesToAsync(to)).Select(m => m.GetProperty("subject").GetString()));
    }

    [Fact]
    public async Task The_unsubscribe_page_shows_a_button_and_changes_nothing_by_itself()
    {
        var to = NewAddress();
        var id = await Notifier.SendAsync(NotifierClient.Request($"k-{Guid.NewGuid()}", to));
        var path = await UnsubscribePathAsync(id);

        using var page = await notifierHttp.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<form method=\"post\"", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, await Notifier.StatusOfAsync(HttpMethod.Get, $"/api/suppressions/test-store.myshopify.com/{Uri.EscapeDataString(to)}"));
    }

    [Fact]
    public async Task A_tampered_unsubscribe_token_is_refused()
    {
        var to = NewAddress();
        var id = await Notifier.SendAsync(NotifierClient.Request($"k-{Guid.NewGuid()}", to));
        var path = await UnsubscribePathAsync(id);
        var token = path["/unsubscribe/".Length..];
        var middle = token.Length / 2;
        var tampered = token[..middle] + (token[middle] == 'A' ? 'B' : 'A') + token[(middle + 1)..];

        using var post = await notifierHttp.PostAsync($"/unsubscribe/{tampered}", new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
        using var get = await notifierHttp.GetAsync($"/unsubscribe/{tampered}");
        using var made = await notifierHttp.PostAsync("/unsubscribe/not-a-token", null);

        Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, get.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, made.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, await Notifier.StatusOfAsync(HttpMethod.Get, $"/api/suppressions/test-store.myshopify.com/{Uri.EscapeDataString(to)}"));
    }

    [Theory]
    [InlineData("GET", "/api/messages")]
    [InlineData("POST", "/api/message-requests")]
    [InlineData("GET", "/api/suppressions")]
    public async Task Operator_and_internal_apis_answer_401_problem_without_the_admin_key(string method, string path)
    {
        using var noKey = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? JsonContent.Create(new { }) : null };
        using var wrongKey = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? JsonContent.Create(new { }) : null };
        // One character off, never the key itself (the key is random hex, so its last digit may already be 0).
        var lastDigit = stack.AdminApiKey[^1] == '0' ? '1' : '0';
        wrongKey.Headers.Authorization = new("Bearer", stack.AdminApiKey[..^1] + lastDigit);

        using var noKeyResponse = await notifierHttp.SendAsync(noKey);
        using var wrongKeyResponse = await notifierHttp.SendAsync(wrongKey);

        Assert.Equal(HttpStatusCode.Unauthorized, noKeyResponse.StatusCode);
        Assert.Equal("application/problem+json", noKeyResponse.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKeyResponse.StatusCode);
    }

    [Fact]
    public async Task The_operator_sees_a_sent_message_with_its_headers_bodies_and_the_smtp_reply()
    {
        var to = NewAddress();
        var id = await Notifier.SendAsync(NotifierClient.Request($"k-{Guid.NewGuid()}", to, subject: "Seen by operators"));
        Assert.Equal("sent", await Notifier.FinalStatusAsync(id));

        var detail = await Notifier.MessageAsync(id);
        Assert.Contains(detail.GetProperty("headers").EnumerateArray(), h => h.GetProperty("name").GetString() == "List-Unsubscribe-Post");
        Assert.Contains("Your cart is waiting.", detail.GetProperty("text_body").GetString(), StringComparison.Ordinal);
        Assert.Contains("Your cart is waiting.", detail.GetProperty("html_body").GetString(), StringComparison.Ordinal);
        var attempt = Assert.Single(detail.GetProperty("attempts").EnumerateArray());
        Assert.StartsWith("250", attempt.GetProperty("smtp_reply").GetString(), StringComparison.Ordinal);
        // When a sending loop took it up (and read the suppression list): after it was asked for, before it was done.
        var message = detail.GetProperty("message");
        var claimed = message.GetProperty("claimed_at").GetDateTimeOffset();
        Assert.InRange(claimed, message.GetProperty("created_at").GetDateTimeOffset(), message.GetProperty("completed_at").GetDateTimeOffset());

        var listed = await Notifier.GetJsonAsync($"/api/messages?to={Uri.EscapeDataString(to)}&status=sent");
        Assert.Equal(id, Assert.Single(listed.EnumerateArray()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task The_openapi_document_describes_the_notifier_apis()
    {
        var document = await notifierHttp.GetStringAsync("/openapi/v1.json");
        foreach (var path in new[] { "/api/message-requests", "/api/messages/{id}", "/api/messages/{id}/resend", "/api/suppressions", "/unsubscribe/{token}" })
        {
            Assert.Contains($"\"{path}\"", document, StringComparison.Ordinal);
        }
    }

    private async Task<string> UnsubscribePathAsync(string messageRequestId)
    {
        var detail = await Notifier.MessageAsync(messageRequestId);
        var header = detail.GetProperty("headers").EnumerateArray()
            .Single(h => h.GetProperty("name").GetString() == "List-Unsubscribe").GetProperty("value").GetString()!;
        return new Uri(Regex.Match(header, "<(https?://[^>]+)>").Groups[1].Value).AbsolutePath;
    }

    public void Dispose()
    {
        notifierHttp.Dispose();
        mailHttp.Dispose();
    }
}
