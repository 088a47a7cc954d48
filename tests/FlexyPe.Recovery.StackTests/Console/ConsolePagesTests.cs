using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;

namespace FlexyPe.Recovery.StackTests.Console;

/// <summary>
/// Every page at a laptop's and a phone's width: an accessibility scan (axe) with no serious or critical violation, and a
/// screenshot of each under TestResults/console-screenshots for a person to look at.
/// </summary>
[Collection(ConsoleStackCollection.Name)]
public sealed class ConsolePagesTests(ConsoleStack stack)
{
    public static TheoryData<string, int> PagesAndWidths()
    {
        var data = new TheoryData<string, int>();
        foreach (var path in ConsolePages.All.Append("/account/sign-in"))
        {
            data.Add(path, 1280);
            data.Add(path, 390);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(PagesAndWidths))]
    public async Task Page_has_no_serious_accessibility_violation(string path, int width)
    {
        await using var context = await stack.NewContextAsync(width, width > 600 ? 900 : 844);
        var page = path.StartsWith("/account/", StringComparison.Ordinal) ? await context.NewPageAsync() : await stack.SignedInPageAsync(context);
        if (path.StartsWith("/account/", StringComparison.Ordinal))
        {
            await page.GotoAsync(path);
        }
        else
        {
            await ConsoleStack.OpenAsync(page, path);
        }
        // Look once the page's data has arrived (tables, charts, the live preview), not after a fixed pause.
        await ConsoleStack.WaitLoadedAsync(page);

        Directory.CreateDirectory(ConsoleStack.ScreenshotDirectory);
        await page.ScreenshotAsync(new() { Path = Path.Combine(ConsoleStack.ScreenshotDirectory, $"{ConsoleStack.Slug(path)}-{width}.png"), FullPage = true });
        // A whole-page capture leaves a sandboxed frame below the fold blank (chromium paints it only once it is in
        // view): each frame (the email preview) is also taken as a person scrolled to it sees it.
        var frames = page.Locator("iframe");
        for (var i = 0; i < await frames.CountAsync(); i++)
        {
            await frames.Nth(i).ScrollIntoViewIfNeededAsync();
            // The frame shows the email at every width: its text has been laid out. Its pixels come from another
            // renderer process a moment after it scrolls into view (no script runs in it to wait on), hence the pause.
            await Microsoft.Playwright.Assertions.Expect(frames.Nth(i).ContentFrame.Locator("body")).Not.ToBeEmptyAsync();
            await page.WaitForTimeoutAsync(1500);
            await page.ScreenshotAsync(new() { Path = Path.Combine(ConsoleStack.ScreenshotDirectory, $"{ConsoleStack.Slug(path)}-{width}-frame{i + 1}.png") });
        }
        // The email preview is the marketer's own HTML in a sandboxed frame where no script runs (axe's included): the
        // console around it is what is scanned.
        var scan = await page.RunAxe(
            new AxeRunContext { Exclude = [new AxeSelector("iframe")] },
            new AxeRunOptions { Iframes = false }).WaitAsync(TimeSpan.FromSeconds(90));

        var serious = scan.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Take(3).Select(n => n.Target?.ToString()))}")
            .ToList();
        Assert.True(serious.Count == 0, string.Join("\n", serious));
    }
}
