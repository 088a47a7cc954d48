using FlexyPe.Recovery.StackTests.Notifier;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FlexyPe.Recovery.StackTests.Console;

/// <summary>A marketer's work on a sequence, in the browser: create, preview, save, refuse what does not parse, test-send.</summary>
[Collection(ConsoleStackCollection.Name)]
public sealed class SequenceEditorTests(ConsoleStack stack) : IDisposable
{
    private readonly ConsoleWorkflows api = new(stack);

    [Fact]
    public async Task A_new_two_step_sequence_previews_the_sample_shopper_and_is_there_after_a_reload()
    {
        await using var context = await stack.NewContextAsync();
        var page = await stack.SignedInPageAsync(context);
        var key = $"spring-{Guid.NewGuid():N}"[..15];
        await ConsoleStack.OpenAsync(page, "/sequences/new");

        await page.FillAsync("#seq-name", "Spring reminder");
        await page.FillAsync("#seq-key", key);
        await page.FillAsync("#step-0-delay", "2 hours");
        await page.FillAsync("#step-0-subject", "{{ customer.first_name }}, your {{ cart[0].title }} is waiting");
        await page.FillAsync("#step-0-template", "<p>Hi {{ customer.first_name }},</p>{% for line in cart %}<p class=\"line\">{{ line.title }} × {{ line.quantity }}</p>{% endfor %}");
        var subject = page.Locator("#preview-subject");
        await subject.Filter(new LocatorFilterOptions { HasText = "John, your" }).WaitForAsync();
        var body = await page.FrameLocator("#preview-frame").Locator("body").InnerTextAsync();

        await page.ClickAsync("#add-step");
        await page.FillAsync("#step-1-delay", "1 day");
        await page.FillAsync("#step-1-subject", "Still thinking it over, {{ customer.first_name }}?");
        await ConsoleStack.SaveNewSequenceAsync(page, key);
        await page.ReloadAsync();
        await ConsoleStack.WaitInteractiveAsync(page);
        // Interactive, the editor loads the sequence again: count its steps once it has.
        await ConsoleStack.WaitLoadedAsync(page);

        Assert.StartsWith("John, your Multigrain Atta", await subject.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("Hi John,", body, StringComparison.Ordinal);
        Assert.Contains("Multigrain Atta × ", body, StringComparison.Ordinal);
        Assert.Equal("Spring reminder", await page.InputValueAsync("#seq-name"));
        Assert.Equal(2, await page.Locator(".step").CountAsync());
        Assert.Equal("2 hours", await page.InputValueAsync("#step-0-delay"));
        Assert.Equal("1 day", await page.InputValueAsync("#step-1-delay"));
        var version = Assert.Single(await api.VersionsAsync(key));
        Assert.Equal(ConsoleStack.AdminEmail, (string?)version["created_by"]);
        Assert.Equal("02:00:00", (string?)version["steps"]![0]!["delay"]);
    }

    [Fact]
    public async Task A_template_that_does_not_parse_shows_its_line_and_column_and_is_not_saved()
    {
        var key = await api.CreateSequenceAsync();
        await using var context = await stack.NewContextAsync();
        var page = await stack.SignedInPageAsync(context);
        await ConsoleStack.OpenAsync(page, $"/sequences/{key}");

        await page.FillAsync("#step-0-template", "<p>Hello</p>\n<p>{% if customer.first_name %}Hi {{ customer.first_name }}</p>");
        var error = page.Locator("#step-0-template-error");
        await error.Filter(new LocatorFilterOptions { HasText = "Line" }).WaitForAsync();
        var shownWhileTyping = await error.InnerTextAsync();
        await page.ClickAsync("#save-sequence");
        var refusal = await page.Locator("#save-problem").InnerTextAsync();
        var shownOnSave = await error.InnerTextAsync();
        await page.ReloadAsync();
        await ConsoleStack.WaitInteractiveAsync(page);

        Assert.Matches(@"^Line 2, column \d+: '\{% endif %\}' was expected", shownWhileTyping);
        Assert.Matches(@"^Line 2, column \d+: '\{% endif %\}' was expected", shownOnSave);
        Assert.StartsWith("Nothing was saved", refusal, StringComparison.Ordinal);
        Assert.Single(await api.VersionsAsync(key));
        Assert.StartsWith("<p>Hi {{ customer.first_name }}</p>", await page.InputValueAsync("#step-0-template"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_delay_that_is_not_a_duration_is_named_on_the_form_and_nothing_is_saved()
    {
        var key = await api.CreateSequenceAsync();
        await using var context = await stack.NewContextAsync();
        var page = await stack.SignedInPageAsync(context);
        await ConsoleStack.OpenAsync(page, $"/sequences/{key}");

        await page.FillAsync("#step-0-delay", "after lunch");
        await page.ClickAsync("#save-sequence");

        await Expect(page.Locator("#step-0-delay-error")).ToContainTextAsync("\"after lunch\" is not a duration");
        await Expect(page.Locator("#save-problem")).ToContainTextAsync("Nothing was saved");
        Assert.Single(await api.VersionsAsync(key));
    }

    [Fact]
    public async Task A_test_send_lands_in_the_mail_sink_as_the_preview_shows_it()
    {
        var key = await api.CreateSequenceAsync("Test send for {{ customer.first_name }}");
        var to = $"test-send-{Guid.NewGuid():N}@example.com";
        await using var context = await stack.NewContextAsync();
        var page = await stack.SignedInPageAsync(context);
        await ConsoleStack.OpenAsync(page, $"/sequences/{key}");

        await page.FillAsync("#test-to", "not an address");
        await page.ClickAsync("#test-send");
        await Expect(page.Locator("#test-error")).ToHaveTextAsync("That is not an email address.");
        await page.FillAsync("#test-to", to);
        await page.ClickAsync("#test-send");
        await page.Locator("#test-result").WaitForAsync();
        using var mailHttp = stack.App.CreateHttpClient("mail", "http");
        var message = await new MailSink(mailHttp).OneMessageToAsync(to);

        Assert.Equal("Test send for John", message.GetProperty("subject").GetString());
    }

    [Fact]
    public async Task A_viewer_cannot_save_even_with_the_button_forced_on()
    {
        var key = await api.CreateSequenceAsync();
        const string password = "viewer password 1";
        var viewer = await stack.InviteAsync("viewer", password);
        await using var context = await stack.NewContextAsync();
        var page = await stack.SignedInPageAsync(context, viewer, password);
        await ConsoleStack.OpenAsync(page, $"/sequences/{key}");
        var save = page.Locator("#save-sequence");
        var disabledForViewer = await save.IsDisabledAsync();

        // A tampered page: the button enabled by hand. The refusal must come from the server.
        await save.EvaluateAsync("button => button.removeAttribute('disabled')");
        await save.ClickAsync();

        Assert.True(disabledForViewer);
        Assert.Contains("Viewers can look at everything but change nothing", await page.Locator("#save-problem").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Single(await api.VersionsAsync(key));
    }

    [Fact]
    public async Task Unsaved_changes_survive_a_session_that_ends_mid_edit()
    {
        var key = await api.CreateSequenceAsync();
        await using var context = await stack.NewContextAsync();
        var page = await stack.SignedInPageAsync(context);
        await ConsoleStack.OpenAsync(page, $"/sequences/{key}");
        await page.FillAsync("#step-0-subject", "Draft kept for {{ customer.first_name }}");
        await page.Locator("#preview-subject").Filter(new LocatorFilterOptions { HasText = "Draft kept" }).WaitForAsync();

        // The session ends (its cookie is gone); the next load asks to sign in again and comes back to the editor.
        await context.ClearCookiesAsync();
        await page.ReloadAsync();
        var askedToSignIn = page.Url;
        await page.FillAsync("#email", ConsoleStack.AdminEmail);
        await page.FillAsync("#password", ConsoleStack.AdminPassword);
        await page.ClickAsync("button[type=submit]");
        await ConsoleStack.ArrivedAtAsync(page, ConsoleStack.SequencePage(key));
        await ConsoleStack.WaitInteractiveAsync(page);
        await page.Locator("#draft-offer").GetByRole(AriaRole.Button, new() { Name = "Restore them" }).ClickAsync();
        // The click is handled on the server, over the circuit: look once the page says the changes are back.
        await page.Locator("#save-notice").Filter(new LocatorFilterOptions { HasText = "unsaved changes are back" }).WaitForAsync();

        Assert.Contains("/account/sign-in", askedToSignIn, StringComparison.Ordinal);
        Assert.Equal("Draft kept for {{ customer.first_name }}", await page.InputValueAsync("#step-0-subject"));
        Assert.Single(await api.VersionsAsync(key));
    }

    public void Dispose() => api.Dispose();
}
