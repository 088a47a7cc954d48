using System.Text.RegularExpressions;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using FlexyPe.Notifier.Composing;
using FlexyPe.Workflows.Templates;

namespace FlexyPe.Recovery.UnitTests.Email;

/// <summary>
/// Every seeded step rendered against every sample event of its trigger (the built-in sample and each documented
/// webhook payload, normalized by Ingest's parser), then composed by Notifier, read as a shopper would get it.
/// </summary>
public sealed partial class DefaultTemplateTests
{
    public static TheoryData<string, int, SampleEventCase> EveryStepAndSample()
    {
        var data = new TheoryData<string, int, SampleEventCase>();
        foreach (var sequence in EmailRendering.Sequences)
        {
            foreach (var step in sequence.Steps)
            {
                foreach (var sample in EmailRendering.EventsOf(sequence.Trigger))
                {
                    data.Add(sequence.Key, step.Number, sample);
                }
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryStepAndSample))]
    public async Task Every_default_step_renders_a_complete_email_for_every_sample_of_its_trigger(string sequence, int number, SampleEventCase sample)
    {
        var email = await EmailRendering.RenderAsync(EmailRendering.Step(sequence, number), sample.Json);
        var document = Parse(email.Html, out var parseErrors);

        Assert.Empty(parseErrors);
        Assert.DoesNotMatch(EmptySource(), email.Html);
        Assert.All(document.Images, image => Assert.False(string.IsNullOrWhiteSpace(image.GetAttribute("src")), "an image without a source"));
        Assert.False(string.IsNullOrWhiteSpace(email.Subject));
        Assert.DoesNotContain("{{", email.Subject, StringComparison.Ordinal);

        // The call to action: a button whose link goes where this step means to send the shopper.
        var button = Assert.Single(document.QuerySelectorAll("a.button-link"));
        Assert.Equal(ExpectedDestination(sequence, number, sample), button.GetAttribute("href"));
        Assert.False(string.IsNullOrWhiteSpace(button.TextContent));

        // The unsubscribe link is the template's own, made into the shopper's signed link; no footer was added.
        Assert.DoesNotContain(MessageComposer.UnsubscribePlaceholder, email.Html, StringComparison.Ordinal);
        Assert.Contains(document.Links, a => a.GetAttribute("href")!.StartsWith(EmailRendering.PublicBaseUrl + "/unsubscribe/", StringComparison.Ordinal)
            && a.TextContent == "Unsubscribe");
        Assert.Empty(document.GetElementsByClassName(MessageComposer.FooterClass));
        Assert.Contains("12 MG Road, Bengaluru", email.Html, StringComparison.Ordinal);

        // Money in rupees wherever the email shows a cart.
        if (document.QuerySelector("td.line-image, td[colspan='2'] p.line-title") is not null)
        {
            Assert.Matches(@"₹\d", email.Html);
        }

        // The preheader is there, hidden.
        var preheader = document.Body!.FirstElementChild!;
        Assert.Contains("display:none", preheader.GetAttribute("style")!.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.StartsWith(email.PreviewText!, preheader.TextContent, StringComparison.Ordinal);

        AssertReadableText(email, ExpectedDestination(sequence, number, sample));
    }

    /// <summary>The text part stands on its own: greeting, what the email is about, where to go, how to unsubscribe.</summary>
    private static void AssertReadableText(RenderedEmail email, string destination)
    {
        var text = email.Text;
        Assert.Contains(destination, text, StringComparison.Ordinal);
        Assert.Matches(new Regex(@"Unsubscribe \(" + Regex.Escape(EmailRendering.PublicBaseUrl) + "/unsubscribe/"), text);
        Assert.DoesNotContain(email.PreviewText!, text, StringComparison.Ordinal);
        Assert.DoesNotContain("%%", text, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", text, StringComparison.Ordinal);
        Assert.DoesNotContain("{%", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\u034f", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\u200c", text, StringComparison.Ordinal);
        Assert.DoesNotContain("font-family", text, StringComparison.Ordinal);
        Assert.DoesNotContain("[if mso]", text, StringComparison.Ordinal);
        Assert.StartsWith("My Awesome Store", text.TrimStart(), StringComparison.Ordinal);
    }

    /// <summary>Where each step's button goes: the checkout, the page the shopper left, or the store.</summary>
    private static string ExpectedDestination(string sequence, int number, SampleEventCase sample)
    {
        using var json = System.Text.Json.JsonDocument.Parse(sample.Json);
        var root = json.RootElement;
        string? Field(string section, string name)
            => root.TryGetProperty(section, out var s) && s.ValueKind == System.Text.Json.JsonValueKind.Object
               && s.TryGetProperty(name, out var v) && v.ValueKind == System.Text.Json.JsonValueKind.String ? v.GetString() : null;
        var store = "https://" + (Field("store", "main_domain") ?? Field("store", "shopify_domain") ?? root.GetProperty("store_id").GetString());
        return sample.Trigger switch
        {
            "abandoned_checkout" => Field("checkout", "checkout_url") ?? store,
            _ when sequence == "abandoned-session" && number == 1 => Field("session", "last_page_visited") ?? store,
            _ => store,
        };
    }

    [Fact]
    public async Task The_first_browsing_step_sends_the_shopper_back_to_the_page_they_left()
    {
        var email = await EmailRendering.RenderAsync(EmailRendering.Step("abandoned-session", 1), SampleEvent.AbandonedSession);
        var button = Assert.Single(Parse(email.Html, out _).QuerySelectorAll("a.button-link"));
        Assert.Equal("https://my-store.com/products/cool-t-shirt", button.GetAttribute("href"));
    }

    [Fact]
    public async Task Recently_viewed_products_show_with_their_pictures_and_links_to_their_pages()
    {
        var email = await EmailRendering.RenderAsync(EmailRendering.Step("abandoned-session", 1), SampleEvent.AbandonedSession);
        var document = Parse(email.Html, out _);

        var rows = document.QuerySelectorAll("tr").Where(r => r.QuerySelectorAll("p.product-title").Length == 1).ToList();
        var tshirt = Assert.Single(rows, r => r.QuerySelector("p.product-title")!.TextContent == "Cool T-Shirt");
        Assert.All(tshirt.QuerySelectorAll("a"), a => Assert.Equal("https://my-store.com/products/cool-t-shirt", a.GetAttribute("href")));
        Assert.Equal("https://cdn.example.com/tshirt.png", tshirt.QuerySelector("img")!.GetAttribute("src"));
        // Viewed without a picture: its title and link, and no image at all.
        var shirt = Assert.Single(rows, r => r.QuerySelector("p.product-title")!.TextContent == "Linen Summer Shirt");
        Assert.Equal("https://my-store.com/products/linen-summer-shirt", shirt.QuerySelector("a")!.GetAttribute("href"));
        Assert.Null(shirt.QuerySelector("img"));
        Assert.Contains("Cool T-Shirt\nView product → (https://my-store.com/products/cool-t-shirt)", email.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_second_browsing_step_suggests_the_collections_the_shopper_browsed()
    {
        var email = await EmailRendering.RenderAsync(EmailRendering.Step("abandoned-session", 2), SampleEvent.AbandonedSession);
        var document = Parse(email.Html, out _);
        Assert.Contains("You might also like", document.Body!.TextContent, StringComparison.Ordinal);
        Assert.Contains(document.Links, a => a.GetAttribute("href") == "https://my-store.com/collections/summer-collection"
            && a.TextContent.Contains("View collection", StringComparison.Ordinal));
        Assert.Contains("Summer Collection\nView collection → (https://my-store.com/collections/summer-collection)", email.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_reassurance_step_suggests_viewed_products_that_are_not_in_the_cart()
    {
        string[] viewed =
        [
            """{ "product": { "product_id": "7516974022740", "title": "Multigrain Atta", "handle": "multigrain-atta", "image": "https://cdn.example.com/atta.png" } }""",
            """{ "product": { "product_id": "999", "title": "Ragi Cookies", "handle": "ragi-cookies", "image": "https://cdn.example.com/ragi.png" } }""",
        ];
        var email = await EmailRendering.RenderAsync(EmailRendering.Step("abandoned-checkout", 2), SampleEvent.AbandonedCheckout, viewedProducts: viewed);
        var document = Parse(email.Html, out _);

        Assert.Contains(document.Links, a => a.GetAttribute("href") == "https://my-store.com/products/ragi-cookies");
        Assert.DoesNotContain(document.Links, a => a.GetAttribute("href") == "https://my-store.com/products/multigrain-atta" && a.TextContent.Contains("View", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_last_checkout_step_shows_the_discount_code_and_the_others_do_not()
    {
        var third = await EmailRendering.RenderAsync(EmailRendering.Step("abandoned-checkout", 3), SampleEvent.AbandonedCheckout);
        var first = await EmailRendering.RenderAsync(EmailRendering.Step("abandoned-checkout", 1), SampleEvent.AbandonedCheckout);

        Assert.Contains("COMEBACK10", third.Html, StringComparison.Ordinal);
        Assert.Contains("COMEBACK10", third.PreviewText, StringComparison.Ordinal);
        Assert.Contains("COMEBACK10", third.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("COMEBACK10", first.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_cart_shows_each_line_in_rupees_and_the_total()
    {
        var email = await EmailRendering.RenderAsync(EmailRendering.Step("abandoned-checkout", 1), SampleEvent.AbandonedCheckout);
        var text = email.Text;

        // Multigrain Atta: 2 × ₹630.00 = ₹1,260.00; Walnut Brownie ₹250.00; total ₹1,510.00.
        Assert.Contains("Multigrain Atta", text, StringComparison.Ordinal);
        Assert.Contains("400gms / Gluten-Free", text, StringComparison.Ordinal);
        Assert.Contains("Qty 2 × ₹630.00", text, StringComparison.Ordinal);
        Assert.Contains("₹1,260.00", text, StringComparison.Ordinal);
        Assert.Contains("₹250.00", text, StringComparison.Ordinal);
        Assert.Matches(@"Total\s+₹1,510\.00", text);
    }

    [Fact]
    public async Task A_line_without_an_image_leaves_no_image_box()
    {
        string[] lines =
        [
            """{ "title": "Walnut Brownie", "variant_title": null, "image": null, "price": 630, "quantity": 1, "handle": "walnut-brownie" }""",
            """{ "title": "Date Bites", "variant_title": null, "image": "", "price": 199, "quantity": 1, "handle": "date-bites" }""",
        ];
        var email = await EmailRendering.RenderAsync(EmailRendering.Step("abandoned-checkout", 1), EmailRendering.CheckoutWithCart(lines, 829));
        var document = Parse(email.Html, out _);

        Assert.DoesNotMatch(EmptySource(), email.Html);
        Assert.Empty(document.QuerySelectorAll("td.line-image"));
        Assert.Contains("Walnut Brownie", email.Html, StringComparison.Ordinal);
        Assert.Contains("Date Bites", email.Html, StringComparison.Ordinal);
        Assert.Contains("₹829.00", email.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fifty_cart_lines_render_ten_and_say_how_many_more_within_gmails_clip()
    {
        var lines = Enumerable.Range(1, 50).Select(i =>
            $$"""{ "title": "Handmade Ceramic Mug No. {{i}} with a Very Long Descriptive Product Title That Has To Wrap", "variant_title": "Blue / 350 ml", "image": "https://cdn.example.com/mug-{{i}}.png", "price": 499, "quantity": 1, "handle": "mug-{{i}}" }""");
        var email = await EmailRendering.RenderAsync(EmailRendering.Step("abandoned-checkout", 1), EmailRendering.CheckoutWithCart(lines, 24950));
        var document = Parse(email.Html, out var errors);

        Assert.Empty(errors);
        Assert.Equal(10, document.QuerySelectorAll("td.line-image").Length);
        Assert.Contains("and 40 more items in your cart", email.Text, StringComparison.Ordinal);
        Assert.Matches(@"Total\s+₹24,950\.00", email.Text);
        // Gmail clips a message over 102 KB, hiding whatever follows: the footer with the unsubscribe link.
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(email.Html) < 102 * 1024, $"{email.Html.Length} characters");
        Assert.Contains(document.Links, a => a.TextContent == "Unsubscribe");
    }

    [Fact]
    public async Task Long_titles_wrap_instead_of_widening_the_email()
    {
        var title = new string('W', 120);
        string[] lines = [$$"""{ "title": "{{title}}", "image": "https://cdn.example.com/w.png", "price": 100, "quantity": 1 }"""];
        var email = await EmailRendering.RenderAsync(EmailRendering.Step("abandoned-checkout", 1), EmailRendering.CheckoutWithCart(lines, 100));
        var cell = Parse(email.Html, out _).QuerySelectorAll("p.line-title").Single(p => p.TextContent == title);
        Assert.Contains("word-break:break-word", cell.GetAttribute("style")!.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Template_output_is_escaped_so_a_shoppers_name_cannot_inject_markup()
    {
        var json = SampleEvent.AbandonedCheckout.Replace("\"first_name\": \"John\"", "\"first_name\": \"<script>alert(1)</script>\"", StringComparison.Ordinal);
        var email = await EmailRendering.RenderAsync(EmailRendering.Step("abandoned-checkout", 1), json);
        Assert.Empty(Parse(email.Html, out _).QuerySelectorAll("script"));
    }

    internal static IHtmlDocument Parse(string html, out List<string> errors)
    {
        var found = new List<string>();
        var parser = new HtmlParser();
        parser.Error += (_, e) => found.Add(((AngleSharp.Html.Dom.Events.HtmlErrorEvent)e).Message + " at " + ((AngleSharp.Html.Dom.Events.HtmlErrorEvent)e).Position);
        var document = parser.ParseDocument(html);
        errors = found;
        return document;
    }

    [GeneratedRegex("""src\s*=\s*(""|'')""")]
    private static partial Regex EmptySource();
}
