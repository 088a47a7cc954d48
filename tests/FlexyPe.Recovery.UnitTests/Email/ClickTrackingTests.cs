using FlexyPe.Notifier.Clicks;
using FlexyPe.Workflows.Templates;

namespace FlexyPe.Recovery.UnitTests.Email;

/// <summary>Click tokens and the rewriting of a message's links.</summary>
public sealed class ClickTrackingTests
{
    [Fact]
    public void A_token_names_the_message_and_the_link()
    {
        var message = Guid.CreateVersion7();
        var token = EmailRendering.ClickTokens.Create(message, 3);

        Assert.True(EmailRendering.ClickTokens.TryRead(token, out var target));
        Assert.Equal(new ClickTarget(message, 3), target);
        Assert.Matches("^[A-Za-z0-9_-]+$", token);
    }

    [Fact]
    public void A_tampered_token_is_refused()
    {
        var token = EmailRendering.ClickTokens.Create(Guid.CreateVersion7(), 0);
        var middle = token.Length / 2;
        var tampered = token[..middle] + (token[middle] == 'A' ? 'B' : 'A') + token[(middle + 1)..];

        Assert.False(EmailRendering.ClickTokens.TryRead(tampered, out _));
        Assert.False(EmailRendering.ClickTokens.TryRead("not-a-token", out _));
        Assert.False(EmailRendering.ClickTokens.TryRead(token[..^4], out _));
    }

    [Fact]
    public void A_token_made_with_other_keys_is_refused()
    {
        var other = new ClickTokens(Microsoft.AspNetCore.DataProtection.DataProtectionProvider.Create("someone-else"));
        Assert.False(EmailRendering.ClickTokens.TryRead(other.Create(Guid.CreateVersion7(), 0), out _));
    }

    [Fact]
    public void An_unsubscribe_token_is_not_a_click_token()
    {
        var unsubscribe = new FlexyPe.Notifier.Unsubscribe.UnsubscribeTokens(EmailRendering.Keys).Create("my-store.myshopify.com", "a@example.com");
        Assert.False(EmailRendering.ClickTokens.TryRead(unsubscribe, out _));
    }

    [Fact]
    public async Task Tracked_links_point_at_the_redirect_and_record_the_original_urls_in_order()
    {
        var email = await EmailRendering.RenderAsync(EmailRendering.Step("abandoned-checkout", 2), SampleEvent.AbandonedCheckout, trackClicks: true);
        var document = DefaultTemplateTests.Parse(email.Html, out _);
        var originals = DefaultTemplateTests.Parse(email.PreviewHtml, out _).Links
            .Select(a => a.GetAttribute("href")!).Where(h => h.StartsWith("http", StringComparison.Ordinal)).ToList();

        var tracked = document.Links.Select(a => a.GetAttribute("href")!).Where(h => h.Contains("/c/", StringComparison.Ordinal)).ToList();
        Assert.Equal(originals, email.Request.TrackedLinks);
        Assert.Equal(originals.Count, tracked.Count);
        for (var i = 0; i < tracked.Count; i++)
        {
            Assert.StartsWith(EmailRendering.PublicBaseUrl + "/c/", tracked[i], StringComparison.Ordinal);
            Assert.True(EmailRendering.ClickTokens.TryRead(tracked[i][(EmailRendering.PublicBaseUrl.Length + 3)..], out var target));
            Assert.Equal(new ClickTarget(email.Request.Id, i), target);
        }
        Assert.Contains("https://my-store.myshopify.com/?flx_s=331d47df-8461-495b-9c4f-27ed915d9c8e", email.Request.TrackedLinks);
        // The text part's links are the tracked ones too.
        Assert.Contains(EmailRendering.PublicBaseUrl + "/c/", email.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("flx_s=", email.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_unsubscribe_link_is_never_rewritten()
    {
        var email = await EmailRendering.RenderAsync(EmailRendering.Step("abandoned-checkout", 1), SampleEvent.AbandonedCheckout, trackClicks: true);
        var unsubscribe = Assert.Single(DefaultTemplateTests.Parse(email.Html, out _).Links, a => a.TextContent == "Unsubscribe");
        Assert.StartsWith(EmailRendering.PublicBaseUrl + "/unsubscribe/", unsubscribe.GetAttribute("href"), StringComparison.Ordinal);
        Assert.DoesNotContain(email.Request.TrackedLinks, l => l.Contains("/unsubscribe/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_tracking_off_the_links_are_the_originals()
    {
        var email = await EmailRendering.RenderAsync(EmailRendering.Step("abandoned-checkout", 1), SampleEvent.AbandonedCheckout, trackClicks: false);
        Assert.Empty(email.Request.TrackedLinks);
        Assert.DoesNotContain("/c/", email.Html, StringComparison.Ordinal);
        Assert.Contains("href=\"https://my-store.myshopify.com/?flx_s=331d47df-8461-495b-9c4f-27ed915d9c8e\"", email.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void Mail_and_phone_links_and_anchors_stay_as_they_are()
    {
        var document = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(
            """<a href="mailto:help@my-store.com">m</a><a href="tel:+911234">t</a><a href="#top">a</a><a href="https://my-store.com/x">x</a>""");
        var links = LinkTracking.Rewrite(document, Guid.CreateVersion7(), EmailRendering.PublicBaseUrl, EmailRendering.ClickTokens);

        Assert.Equal(["https://my-store.com/x"], links);
        Assert.Equal(["mailto:help@my-store.com", "tel:+911234", "#top"], document.Links.Take(3).Select(a => a.GetAttribute("href")));
    }
}
