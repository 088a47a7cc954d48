using System.Security.Cryptography;
using System.Text;
using FlexyPe.Workflows.Stores;
using FlexyPe.Workflows.Templates;
using Microsoft.Playwright;

namespace FlexyPe.Recovery.UnitTests.Email;

/// <summary>
/// Each seeded step as a mail client draws it: headless chromium at a desktop reading pane's width (600 px) and a
/// phone's (375 px, light and dark). Screenshots, the HTML and the text part go to TestResults/email-screenshots/ for
/// people to look at; the tests check what can be checked by machine: nothing wider than the screen, every image
/// drawn, the preview identical to what is sent.
/// </summary>
public sealed class EmailScreenshotTests(Chromium chromium) : IClassFixture<Chromium>
{
    public static readonly string Folder = Path.Combine(Repository.Root, "TestResults", "email-screenshots");

    /// <summary>The brand of the screenshots: a logo and a colour, as a real store would have them.</summary>
    private static readonly StoreBrand Brand = EmailRendering.Brand with { LogoUrl = "https://cdn.example.com/logo.svg" };

    public static TheoryData<string, int> Steps()
    {
        var data = new TheoryData<string, int>();
        foreach (var sequence in EmailRendering.Sequences)
        {
            foreach (var step in sequence.Steps)
            {
                data.Add(sequence.Key, step.Number);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Steps))]
    public async Task Each_step_fits_a_desktop_pane_and_a_phone_with_every_image_drawn_and_looks_as_previewed(string sequence, int number)
    {
        // What is sent (Notifier's unsubscribe link, tracked links, inlined CSS) and the preview (Workflows' rendering).
        var email = await EmailRendering.RenderAsync(EmailRendering.Step(sequence, number), SampleEvent.For(EmailRendering.TriggerOf(sequence)), Brand, trackClicks: true);
        var name = $"{sequence}-{number}";
        Directory.CreateDirectory(Folder);
        await File.WriteAllTextAsync(Path.Combine(Folder, name + ".html"), email.Html);
        await File.WriteAllTextAsync(Path.Combine(Folder, name + ".txt"), $"Subject: {email.Subject}\nPreview: {email.PreviewText}\n\n{email.Text}");

        byte[]? desktop = null;
        foreach (var (width, scheme) in new[] { (600, ColorScheme.Light), (375, ColorScheme.Light), (375, ColorScheme.Dark) })
        {
            var suffix = scheme == ColorScheme.Dark ? "-dark" : "";
            var page = await OpenAsync(email.Html, width, scheme);
            var png = await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Folder, $"{name}-{width}{suffix}.png"), FullPage = true });
            desktop ??= png;

            var scrollWidth = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
            Assert.True(scrollWidth <= width, $"{name} is {scrollWidth} px wide on a {width} px screen");
            var broken = await page.EvaluateAsync<string[]>("[...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)");
            Assert.Empty(broken);
            await page.CloseAsync();
        }

        var preview = await OpenAsync(email.PreviewHtml, 600, ColorScheme.Light);
        var previewPng = await preview.ScreenshotAsync(new PageScreenshotOptions { FullPage = true });
        await preview.CloseAsync();
        Assert.True(previewPng.AsSpan().SequenceEqual(desktop), $"{name}: the preview and the sent email draw differently");
    }

    private async Task<IPage> OpenAsync(string html, int width, ColorScheme scheme)
    {
        var page = await chromium.Browser.NewPageAsync(new BrowserNewPageOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = 800 }, ColorScheme = scheme, DeviceScaleFactor = 1,
        });
        // No internet here: every image the email asks for is drawn locally, a tile per URL.
        await page.RouteAsync("**/*", route => route.FulfillAsync(new RouteFulfillOptions
        {
            ContentType = "image/svg+xml", Body = Picture(route.Request.Url),
        }));
        await page.SetContentAsync(html, new PageSetContentOptions { WaitUntil = WaitUntilState.Load });
        return page;
    }

    private static string Picture(string url)
    {
        if (url.EndsWith("/logo.svg", StringComparison.Ordinal))
        {
            return $"""<svg xmlns="http://www.w3.org/2000/svg" width="220" height="40"><circle cx="20" cy="20" r="18" fill="{Brand.Colour}"/><text x="46" y="26" textLength="168" lengthAdjust="spacingAndGlyphs" font-family="sans-serif" font-size="16" font-weight="700" fill="{Brand.Colour}">My Awesome Store</text></svg>""";
        }
        var hue = SHA256.HashData(Encoding.UTF8.GetBytes(url))[0] * 360 / 256;
        var label = Path.GetFileNameWithoutExtension(new Uri(url).AbsolutePath);
        return $"""<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400"><rect width="400" height="400" fill="hsl({hue},45%,80%)"/><circle cx="200" cy="170" r="90" fill="hsl({hue},40%,60%)"/><text x="200" y="340" text-anchor="middle" font-family="sans-serif" font-size="40" fill="hsl({hue},40%,25%)">{label}</text></svg>""";
    }
}

/// <summary>The machine's chromium (/usr/bin/chromium), started once for the screenshot tests.</summary>
public sealed class Chromium : IAsyncLifetime
{
    private IPlaywright? playwright;
    private IBrowser? browser;

    public IBrowser Browser => browser ?? throw new InvalidOperationException("chromium has not started.");

    public async Task InitializeAsync()
    {
        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.DisposeAsync();
        }
        playwright?.Dispose();
    }
}
