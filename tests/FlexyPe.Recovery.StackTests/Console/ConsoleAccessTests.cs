using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace FlexyPe.Recovery.StackTests.Console;

/// <summary>Signing in: redirects, the first admin, lock-out, antiforgery, and the admin key staying on the server.</summary>
[Collection(ConsoleStackCollection.Name)]
public sealed class ConsoleAccessTests(ConsoleStack stack)
{
    [Fact]
    public async Task A_page_opened_without_signing_in_redirects_to_sign_in()
    {
        await using var context = await stack.NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync("/shoppers");

        Assert.Contains("/account/sign-in", page.Url, StringComparison.Ordinal);
        Assert.Contains("ReturnUrl=%2Fshoppers", page.Url, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("Sign in", await page.Locator("h1").InnerTextAsync());
    }

    [Fact]
    public async Task A_head_request_is_answered_as_a_get_would_be()
    {
        // An uptime check or `curl -I` asks with HEAD: the same status and headers as GET, without the page.
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = stack.ConsoleUrl };
        var answers = new List<(string Path, HttpStatusCode Get, HttpStatusCode Head)>();
        foreach (var path in new[] { "/", "/shoppers", "/account/sign-in" })
        {
            using var get = await http.GetAsync(path);
            using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));
            answers.Add((path, get.StatusCode, head.StatusCode));
            Assert.Equal(get.Headers.Location, head.Headers.Location);
            Assert.Equal(get.Content.Headers.ContentType?.MediaType, head.Content.Headers.ContentType?.MediaType);
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        }

        Assert.Equal(
            [("/", HttpStatusCode.Redirect, HttpStatusCode.Redirect), ("/shoppers", HttpStatusCode.Redirect, HttpStatusCode.Redirect),
             ("/account/sign-in", HttpStatusCode.OK, HttpStatusCode.OK)],
            answers);
    }

    [Fact]
    public void First_run_refuses_a_wrong_admin_key_and_the_right_one_creates_the_admin()
    {
        // Recorded by the fixture as it set the console up through the first-run page.
        Assert.Contains("/account/setup", stack.UrlBeforeFirstRun, StringComparison.Ordinal);
        Assert.Contains("not the admin key", stack.WrongKeyMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("/account/", new Uri(stack.UrlAfterFirstRun).AbsolutePath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task First_run_is_closed_once_an_admin_exists()
    {
        await using var context = await stack.NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync("/account/setup");

        Assert.Contains("already has an admin", await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("#admin-key").CountAsync());
    }

    [Fact]
    public async Task The_first_admin_signs_in_and_lands_where_they_were_going()
    {
        await using var context = await stack.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync("/deliveries");

        await page.FillAsync("#email", ConsoleStack.AdminEmail);
        await page.FillAsync("#password", ConsoleStack.AdminPassword);
        await page.ClickAsync("button[type=submit]");
        await ConsoleStack.ArrivedAtAsync(page, new Regex("/deliveries$"));
        await ConsoleStack.WaitInteractiveAsync(page);

        Assert.Equal("Deliveries", await page.Locator("h1").InnerTextAsync());
        Assert.Contains(ConsoleStack.AdminEmail, await page.Locator(".console-header").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("admin", (await page.Locator(".role-badge").InnerTextAsync()).ToLowerInvariant());
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_even_against_the_right_one()
    {
        const string password = "marketer password 1";
        var email = await stack.InviteAsync("marketer", password);
        await using var context = await stack.NewContextAsync();
        var page = await context.NewPageAsync();

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            await ConsoleStack.SignInAsync(page, email, "wrong password " + attempt);
        }
        var afterFifth = await page.Locator("#sign-in-error").InnerTextAsync();
        await ConsoleStack.SignInAsync(page, email, password);

        Assert.Contains("locked", afterFifth, StringComparison.Ordinal);
        Assert.Contains("/account/sign-in", page.Url, StringComparison.Ordinal);
        Assert.Contains("locked", await page.Locator("#sign-in-error").InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sign_in_posted_without_its_antiforgery_token_is_refused()
    {
        using var http = new HttpClient { BaseAddress = stack.ConsoleUrl };
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "sign-in",
            ["Input.Email"] = ConsoleStack.AdminEmail,
            ["Input.Password"] = ConsoleStack.AdminPassword,
        });

        using var response = await http.PostAsync("/account/sign-in", form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("flexype-console=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_admin_key_reaches_no_page_and_no_websocket_frame()
    {
        await using var context = await stack.NewContextAsync();
        var seen = new StringBuilder();
        var page = await stack.SignedInPageAsync(context);
        page.WebSocket += (_, socket) =>
        {
            socket.FrameReceived += (_, frame) => Record(seen, frame.Text, frame.Binary);
            socket.FrameSent += (_, frame) => Record(seen, frame.Text, frame.Binary);
        };

        foreach (var path in ConsolePages.All)
        {
            await ConsoleStack.OpenAsync(page, path);
            seen.AppendLine(await page.ContentAsync());
        }
        // Work that calls the services with the key: a live preview and a stored-event search.
        await ConsoleStack.OpenAsync(page, "/sequences/abandoned-checkout");
        await page.FillAsync("#step-0-subject", "Key check {{ customer.first_name }}");
        await page.Locator("#preview-subject").Filter(new LocatorFilterOptions { HasText = "Key check" }).WaitForAsync();
        seen.AppendLine(await page.ContentAsync());

        var everything = seen.ToString();
        Assert.True(everything.Length > 10_000, "the pages and frames were recorded");
        Assert.DoesNotContain(stack.AdminApiKey, everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_asset_of_every_page_comes_from_the_console_itself()
    {
        await using var context = await stack.NewContextAsync();
        var page = await stack.SignedInPageAsync(context);
        var requested = new List<string>();
        // The page's own requests; an email in the preview frame may show the shop's images, which are the shop's.
        page.Request += (_, request) =>
        {
            if (request.Frame == page.MainFrame)
            {
                lock (requested)
                {
                    requested.Add(request.Url);
                }
            }
        };

        foreach (var path in ConsolePages.All)
        {
            await ConsoleStack.OpenAsync(page, path);
            // A bound, not a measure: on a loaded two-core machine a page's last asset once took longer than 30 s.
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle, new() { Timeout = 90_000 });
        }

        Assert.Contains(requested, url => url.Contains("_content/Microsoft.FluentUI.AspNetCore.Components", StringComparison.Ordinal));
        Assert.All(requested, url => Assert.StartsWith(stack.ConsoleUrl.GetLeftPart(UriPartial.Authority), url, StringComparison.Ordinal));
    }

    /// <summary>A frame's text, and the text inside any base64 it carries (Blazor's render batches).</summary>
    private static void Record(StringBuilder seen, string? text, byte[]? binary)
    {
        lock (seen)
        {
            if (binary is not null)
            {
                seen.AppendLine(Encoding.UTF8.GetString(binary));
            }
            if (text is null)
            {
                return;
            }
            seen.AppendLine(text);
            foreach (Match chunk in Regex.Matches(text, "[A-Za-z0-9+/=]{40,}"))
            {
                try
                {
                    seen.AppendLine(Encoding.UTF8.GetString(Convert.FromBase64String(chunk.Value)));
                }
                catch (FormatException)
                {
                    // Not base64 after all.
                }
            }
        }
    }
}

/// <summary>Every page of the console, for the scans and screenshots.</summary>
public static class ConsolePages
{
    public static readonly string[] All =
    [
        "/", "/sequences", "/sequences/abandoned-checkout", "/sequences/new", "/shoppers", "/deliveries", "/events", "/settings", "/people",
    ];
}
