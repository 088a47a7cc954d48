using System.Text.RegularExpressions;
using FlexyPe.Recovery.StackTests.Stack;
using FlexyPe.Recovery.StackTests.Workflows;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FlexyPe.Recovery.StackTests.Console;

/// <summary>
/// The whole stack with the console, and Debian's chromium driven by Playwright (its own browser download is not
/// available here). On start the first admin is created the way a person would: through the first-run page, first with
/// a wrong admin key, then with the right one.
/// </summary>
public sealed class ConsoleStack : ServingWorkflowsStack, IAsyncLifetime
{
    public const string AdminEmail = "asha.admin@flexype.test";
    public const string AdminPassword = "correct horse battery";
    public const string ChromiumPath = "/usr/bin/chromium";

    public IPlaywright Playwright { get; private set; } = default!;
    public IBrowser Browser { get; private set; } = default!;
    public Uri ConsoleUrl { get; private set; } = default!;

    /// <summary>What the first-run page said to a wrong admin key, and where the right one led.</summary>
    public string WrongKeyMessage { get; private set; } = "";
    public string UrlAfterFirstRun { get; private set; } = "";
    public string UrlBeforeFirstRun { get; private set; } = "";

    /// <summary>Where screenshots go: TestResults/console-screenshots at the repository's root (a CI artifact).</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(Repository.Root, "TestResults", "console-screenshots");

    public new async Task InitializeAsync()
    {
        await base.InitializeAsync();
        ConsoleUrl = App.GetEndpoint("console", "http");
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        await CreateFirstAdminAsync();
    }

    private async Task CreateFirstAdminAsync()
    {
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync("/sequences");
        UrlBeforeFirstRun = page.Url;
        await page.FillAsync("#admin-key", "not-the-key");
        await page.FillAsync("#name", "Asha Admin");
        await page.FillAsync("#email", AdminEmail);
        await page.FillAsync("#password", AdminPassword);
        await page.FillAsync("#confirm", AdminPassword);
        await page.ClickAsync("button[type=submit]");
        WrongKeyMessage = await page.Locator(".form-error").InnerTextAsync();

        await page.FillAsync("#admin-key", AdminApiKey);
        await page.FillAsync("#password", AdminPassword);
        await page.FillAsync("#confirm", AdminPassword);
        await page.ClickAsync("button[type=submit]");
        await LeftAccountPagesAsync(page);
        UrlAfterFirstRun = page.Url;
    }

    /// <summary>
    /// Waits until the page's address is <paramref name="url"/>, by polling it. The console's links and saves navigate
    /// inside the page (Blazor's router, <c>history.pushState</c>), and Playwright's <c>WaitForURLAsync</c>, which waits
    /// for a navigation event, once ran out its 60 s on a loaded machine with the page already at the address. Not the
    /// next page's load event either: each caller then waits for what it needs (interactive, a locator). The bound is a
    /// safety net for a loaded machine, not a measure.
    /// </summary>
    public static Task ArrivedAtAsync(IPage page, Regex url)
        => Expect(page).ToHaveURLAsync(url, new PageAssertionsToHaveURLOptions { Timeout = 60_000 });

    /// <summary>The address of a sequence's editor page, whatever the host.</summary>
    public static Regex SequencePage(string key) => new($"/sequences/{Regex.Escape(key)}$");

    /// <summary>
    /// Clicks Save on a new sequence and waits for its page; if the save does not lead there, fails with what the editor
    /// showed instead (its refusal, the fields' errors, the button's text).
    /// </summary>
    public static async Task SaveNewSequenceAsync(IPage page, string key)
    {
        await page.ClickAsync("#save-sequence");
        try
        {
            await ArrivedAtAsync(page, SequencePage(key));
        }
        catch (PlaywrightException)
        {
            var shown = await page.Locator("#save-problem, #save-notice, .field-error").AllInnerTextsAsync();
            var button = await page.Locator("#save-sequence").InnerTextAsync();
            throw new InvalidOperationException(
                $"Saving sequence {key} did not lead to its page (still at {page.Url}). The Save button says \"{button}\"; " +
                $"the form shows: {string.Join(" | ", shown.Where(text => !string.IsNullOrWhiteSpace(text)))}");
        }
    }

    public Task<IBrowserContext> NewContextAsync(int width = 1280, int height = 900)
        => Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = ConsoleUrl.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });

    /// <summary>A browser signed in as <paramref name="email"/>, on the overview.</summary>
    public async Task<IPage> SignedInPageAsync(IBrowserContext context, string email = AdminEmail, string password = AdminPassword)
    {
        var page = await context.NewPageAsync();
        await SignInAsync(page, email, password);
        await LeftAccountPagesAsync(page);
        return page;
    }

    public static async Task SignInAsync(IPage page, string email, string password)
    {
        await page.GotoAsync("/account/sign-in");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.ClickAsync("button[type=submit]");
    }

    /// <summary>Opens a console page and waits until it answers clicks (its circuit is connected).</summary>
    public static async Task OpenAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        await WaitInteractiveAsync(page);
    }

    public static Task WaitInteractiveAsync(IPage page)
        => page.Locator("main[data-interactive=yes]").WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });

    /// <summary>
    /// Until the page has its data: nothing on it says it is loading (a progress ring, a "Loading…" row), and a sequence
    /// editor shows its live preview.
    /// </summary>
    public static Task WaitLoadedAsync(IPage page)
        => page.WaitForFunctionAsync("""
            () => !document.querySelector('fluent-progress-ring, [aria-label^="Loading"]')
                && ![...document.querySelectorAll('td.empty')].some(cell => cell.textContent.includes('Loading'))
                && (!document.querySelector('#save-sequence') || !!document.querySelector('#preview-subject, #preview-failure'))
            """, null, new PageWaitForFunctionOptions { Timeout = 30_000 });

    /// <summary>An invited account with <paramref name="role"/>, made by the admin in the browser; its email.</summary>
    public async Task<string> InviteAsync(string role, string password)
    {
        var email = $"{role}.{Guid.NewGuid():N}"[..24] + "@flexype.test";
        await using var admin = await NewContextAsync();
        var page = await SignedInPageAsync(admin);
        await OpenAsync(page, "/people");
        await page.FillAsync("#invite-email", email);
        await page.SelectOptionAsync("#invite-role", role);
        await page.ClickAsync("#invite");
        var link = await page.Locator("#invite-link").InnerTextAsync();

        await using var invited = await NewContextAsync();
        var join = await invited.NewPageAsync();
        await join.GotoAsync(link);
        await join.FillAsync("#name", $"A {role}");
        await join.FillAsync("#password", password);
        await join.FillAsync("#confirm", password);
        await join.ClickAsync("button[type=submit]");
        await LeftAccountPagesAsync(join);
        return email;
    }

    /// <summary>Waits until an account form has led into the console; fails with the form's message if it stayed.</summary>
    private static async Task LeftAccountPagesAsync(IPage page)
    {
        try
        {
            // Commit, not the next page's load event: this asks only where the form led. Callers wait for the page they
            // need (OpenAsync, or a locator); under CI's load the overview's load event alone once took over 20 s.
            await page.WaitForURLAsync(url => !url.Contains("/account/", StringComparison.Ordinal),
                new() { Timeout = 20_000, WaitUntil = WaitUntilState.Commit });
        }
        catch (TimeoutException)
        {
            var shown = await page.Locator(".form-error, .field-error").AllInnerTextsAsync();
            throw new InvalidOperationException($"The account form at {page.Url} did not sign in: {string.Join(" ", shown)}");
        }
    }

    public static string Slug(string path) => path == "/" ? "overview" : Regex.Replace(path.Trim('/'), "[^a-z0-9]+", "-");

    public new async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }
        Playwright?.Dispose();
        await base.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ConsoleStackCollection : ICollectionFixture<ConsoleStack>
{
    public const string Name = "Console stack";
}
