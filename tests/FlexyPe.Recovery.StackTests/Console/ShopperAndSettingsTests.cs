using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FlexyPe.Recovery.StackTests.Console;

/// <summary>Following a shopper, and a store's settings: what the console shows and what it refuses.</summary>
[Collection(ConsoleStackCollection.Name)]
public sealed class ShopperAndSettingsTests(ConsoleStack stack) : IDisposable
{
    private readonly ConsoleWorkflows api = new(stack);

    [Fact]
    public async Task A_completed_checkout_shows_on_the_timeline_as_cancelled_steps()
    {
        var email = $"meera.{Guid.NewGuid():N}@example.com";
        var checkout = $"console-{Guid.NewGuid():N}";
        await api.DeliverCheckoutAsync("console-timeline.myshopify.com", checkout, email, "PAYMENT_LOADED");
        await api.EnrollmentsOfAsync(email, list => list.Count == 1);
        await api.DeliverCheckoutAsync("console-timeline.myshopify.com", checkout, email, "COMPLETED");
        await api.EnrollmentsOfAsync(email, list => list.Count == 1 && (string?)list[0]["state"] != "active");

        await using var context = await stack.NewContextAsync();
        var page = await stack.SignedInPageAsync(context);
        await ConsoleStack.OpenAsync(page, "/shoppers");
        await page.FillAsync("#shopper-query", email);
        await page.ClickAsync("#shopper-search");
        // The latest enrollments, shown until the search answers, hold this shopper's too (it was just made): a click
        // there can land on a row the search's answer is replacing, and go nowhere. Click once the search has answered.
        await Expect(page.Locator("h2", new() { HasText = $"Enrollments of {email}" })).ToBeVisibleAsync();
        await page.Locator("#enrollments a", new() { HasText = email }).ClickAsync();
        await ConsoleStack.ArrivedAtAsync(page, new Regex("/shoppers/[0-9a-f-]{36}$"));
        var timeline = page.Locator("#timeline");
        await timeline.WaitForAsync();

        var text = await timeline.InnerTextAsync();
        Assert.Contains("Step 1 scheduled", text, StringComparison.Ordinal);
        Assert.Contains("Step 1 cancelled", text, StringComparison.Ordinal);
        Assert.Contains("Event received", text, StringComparison.Ordinal);
        Assert.Contains("cancelled", await page.Locator("#steps").InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Settings_refuse_an_address_that_is_not_an_address_and_save_nothing()
    {
        var store = $"settings-{Guid.NewGuid():N}"[..17] + ".myshopify.com";
        await api.DeliverCheckoutAsync(store, $"c-{Guid.NewGuid():N}", $"s.{Guid.NewGuid():N}@example.com", "INITIATED");
        await api.WaitForStoreAsync(store);
        await using var context = await stack.NewContextAsync();
        var page = await stack.SignedInPageAsync(context);
        await ConsoleStack.OpenAsync(page, $"/settings/{store}");

        await page.FillAsync("[id='sender_address']", "recovery-at-store");
        await page.FillAsync("[id='brand.colour']", "#4f46e5");
        await page.ClickAsync("#save-settings");

        await Expect(page.Locator("[id='sender_address-error']")).ToContainTextAsync("\"recovery-at-store\" is not an email address");
        await Expect(page.Locator("#settings-problem")).ToContainTextAsync("Nothing was saved");
        Assert.Empty((await api.StoreSettingsAsync(store))!["overridden"]!.AsArray());
    }

    [Fact]
    public async Task Settings_an_admin_saves_are_the_stores_own_with_who_changed_them()
    {
        var store = $"saved-{Guid.NewGuid():N}"[..14] + ".myshopify.com";
        await api.DeliverCheckoutAsync(store, $"c-{Guid.NewGuid():N}", $"s.{Guid.NewGuid():N}@example.com", "INITIATED");
        await api.WaitForStoreAsync(store);
        await using var context = await stack.NewContextAsync();
        var page = await stack.SignedInPageAsync(context);
        await ConsoleStack.OpenAsync(page, $"/settings/{store}");

        await page.FillAsync("[id='sender_address']", "hello@saved-store.example");
        await page.FillAsync("[id='frequency_cap']", "6 hours");
        await page.ClickAsync("#save-settings");
        await page.Locator("#settings-notice").WaitForAsync();

        var saved = (await api.StoreSettingsAsync(store))!;
        Assert.Equal("hello@saved-store.example", (string?)saved["settings"]!["sender_address"]);
        Assert.Equal("06:00:00", (string?)saved["settings"]!["frequency_cap"]);
        Assert.Equal(ConsoleStack.AdminEmail, (string?)saved["updated_by"]);
    }

    [Fact]
    public async Task A_store_that_does_not_exist_is_named_as_such()
    {
        await using var context = await stack.NewContextAsync();
        var page = await stack.SignedInPageAsync(context);
        await ConsoleStack.OpenAsync(page, "/settings/no-such-store.myshopify.com");

        Assert.Contains("There is no store \"no-such-store.myshopify.com\"", await page.Locator("#settings-problem").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("#save-settings").CountAsync());
    }

    public void Dispose() => api.Dispose();
}
