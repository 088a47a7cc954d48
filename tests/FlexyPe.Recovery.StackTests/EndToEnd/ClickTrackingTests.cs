using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AngleSharp.Html.Parser;
using FlexyPe.Notifier.Clicks;
using FlexyPe.Notifier.Infrastructure;
using FlexyPe.Recovery.StackTests.Notifier;
using FlexyPe.Recovery.StackTests.Workflows;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace FlexyPe.Recovery.StackTests.EndToEnd;

/// <summary>
/// Click tracking on real emails: a step fires, Notifier sends it to smtp4dev with its links rewritten, and a shopper
/// follows them through Notifier's redirect, which records the click on the enrollment's timeline in Workflows.
/// </summary>
[Collection(WorkflowsStackCollection.Name)]
public sealed class ClickTrackingTests(WorkflowsStack stack) : IDisposable
{
    private readonly WorkflowsApi api = new(stack);
    private readonly NormalizedEvents events = new();
    private readonly HttpClient mailHttp = stack.App.CreateHttpClient("mail", "http");
    // A browser that shows where a redirect goes instead of going there.
    private readonly HttpClient shopper = new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = stack.App.GetEndpoint("notifier", "http") };

    public void Dispose()
    {
        api.Dispose();
        mailHttp.Dispose();
        shopper.Dispose();
    }

    /// <summary>The first step's email of an abandoned checkout, as it arrived, with its enrollment and checkout URL.</summary>
    private async Task<(string Html, string EnrollmentId, string CheckoutUrl)> FirstEmailAsync()
    {
        var email = NormalizedEvents.NewEmail();
        var key = Guid.NewGuid().ToString();
        await api.PostEventAsync(events.AbandonedCheckout(key, email));
        var enrollment = await api.EnrollmentAsync(events.StoreId, "abandoned-checkout");

        // Later steps follow a few seconds apart in compressed time: take the first step's email.
        var mail = new MailSink(mailHttp);
        var message = (await Eventually.GetAsync<System.Text.Json.JsonElement?>(async () =>
            (await mail.MessagesToAsync(email)).Where(m => m.GetProperty("subject").GetString() == "John, you left something in your cart")
                .Cast<System.Text.Json.JsonElement?>().FirstOrDefault(), $"the first recovery email to {email}"))!.Value;
        return (await mail.HtmlAsync(message.GetProperty("id").GetString()!), (string)enrollment["id"]!, $"https://{events.StoreId}/?flx_s={key}");
    }

    private static string ButtonHref(string html)
        => new HtmlParser().ParseDocument(html).QuerySelector("a.button-link")!.GetAttribute("href")!;

    [Fact]
    public async Task Following_a_tracked_link_redirects_to_the_original_url_and_the_click_shows_on_the_timeline()
    {
        var (html, enrollmentId, checkoutUrl) = await FirstEmailAsync();
        var tracked = new Uri(ButtonHref(html));
        Assert.StartsWith("/c/", tracked.AbsolutePath, StringComparison.Ordinal);
        Assert.DoesNotContain("flx_s=", html, StringComparison.Ordinal);

        using var response = await shopper.GetAsync(tracked.PathAndQuery);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(checkoutUrl, response.Headers.Location!.OriginalString);
        var timeline = await api.WaitForAsync(enrollmentId, t => Clicks(t).Any());
        var click = Assert.Single(Clicks(timeline));
        Assert.Equal(1, (int)click["step"]!);
        Assert.Equal(checkoutUrl, (string)click["url"]!);
        Assert.NotNull(click["link_index"]);
        Assert.True(DateTimeOffset.Parse((string)click["at"]!, System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.AddMinutes(-5));

        // The console's figures count it.
        var stats = (await api.Http.GetFromJsonAsync<JsonArray>($"/api/stats/sequences?store_id={Uri.EscapeDataString(events.StoreId)}"))!;
        Assert.Equal(1, (int)stats.Single(s => (string)s!["sequence_key"]! == "abandoned-checkout")!["clicks"]!);
    }

    [Fact]
    public async Task A_link_followed_while_its_email_is_still_being_recorded_waits_for_the_record_and_redirects()
    {
        var (html, _, checkoutUrl) = await FirstEmailAsync();
        var tracked = new Uri(ButtonHref(html));
        Assert.True((await StackClickTokensAsync()).TryRead(tracked.AbsolutePath["/c/".Length..], out var target));

        // The moment between the SMTP server taking the email and Notifier committing its send: the sending loop holds
        // the row, and what is committed has no tracked links yet.
        await using var notifierDb = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("notifierdb"));
        await notifierDb.OpenAsync();
        // FOR SHARE: the email can be in smtp4dev before Notifier has committed its send and its links.
        var links = await ExecuteAsync(notifierDb, null, "SELECT tracked_links FROM message_requests WHERE id = @id FOR SHARE", target.MessageId);
        await ExecuteAsync(notifierDb, null, "UPDATE message_requests SET tracked_links = '{}' WHERE id = @id", target.MessageId);
        await using var sending = await notifierDb.BeginTransactionAsync();
        await ExecuteAsync(notifierDb, sending, "SELECT 1 FROM message_requests WHERE id = @id FOR UPDATE", target.MessageId);
        await ExecuteAsync(notifierDb, sending, "UPDATE message_requests SET tracked_links = @links WHERE id = @id", target.MessageId, links);

        var click = shopper.GetAsync(tracked.PathAndQuery);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.False(click.IsCompleted, "the click was answered while the send that records its link was still open");
        await sending.CommitAsync();

        using var response = await click;
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(checkoutUrl, response.Headers.Location!.OriginalString);
    }

    private static async Task<object?> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, Guid id, object? links = null)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue("id", id);
        if (links is not null)
        {
            command.Parameters.AddWithValue("links", links);
        }
        return await command.ExecuteScalarAsync();
    }

    [Fact]
    public async Task A_tampered_token_and_a_link_the_message_did_not_have_are_refused_without_a_redirect()
    {
        var (html, enrollmentId, checkoutUrl) = await FirstEmailAsync();
        var token = new Uri(ButtonHref(html)).AbsolutePath["/c/".Length..];
        var middle = token.Length / 2;
        var tampered = token[..middle] + (token[middle] == 'A' ? 'B' : 'A') + token[(middle + 1)..];

        using var tamperedResponse = await shopper.GetAsync($"/c/{tampered}");
        Assert.Equal(HttpStatusCode.BadRequest, tamperedResponse.StatusCode);
        Assert.Equal("application/problem+json", tamperedResponse.Content.Headers.ContentType?.MediaType);
        Assert.Null(tamperedResponse.Headers.Location);

        // A token signed with the stack's own keys (as only Notifier can make one) naming a link past the message's last.
        var tokens = await StackClickTokensAsync();
        Assert.True(tokens.TryRead(token, out var real));
        using var unknown = await shopper.GetAsync($"/c/{tokens.Create(real.MessageId, 1000)}");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Null(unknown.Headers.Location);
        using var otherMessage = await shopper.GetAsync($"/c/{tokens.Create(Guid.CreateVersion7(), 0)}");
        Assert.Equal(HttpStatusCode.NotFound, otherMessage.StatusCode);

        // A URL offered beside a real token is ignored: the redirect goes where the message linked.
        using var smuggled = await shopper.GetAsync($"/c/{token}?url=https%3A%2F%2Fevil.example%2F&redirect=https%3A%2F%2Fevil.example%2F");
        Assert.Equal(HttpStatusCode.Redirect, smuggled.StatusCode);
        Assert.Equal(checkoutUrl, smuggled.Headers.Location!.OriginalString);

        // Only the one real click was recorded.
        var timeline = await api.WaitForAsync(enrollmentId, t => Clicks(t).Any());
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Single(Clicks(await api.TimelineAsync(enrollmentId)));
    }

    [Fact]
    public async Task With_click_tracking_turned_off_the_emails_links_are_the_originals()
    {
        // The store becomes known with its first event; then it turns tracking off.
        await api.PostEventAsync(events.ProductViewed(NormalizedEvents.NewEmail(), "Cool T-Shirt"));
        using var put = await api.Http.PutAsJsonAsync($"/api/stores/{Uri.EscapeDataString(events.StoreId)}/settings", new { click_tracking = false }, WorkflowsApi.Json);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        var (html, _, checkoutUrl) = await FirstEmailAsync();

        Assert.Equal(checkoutUrl, ButtonHref(html));
        Assert.DoesNotContain("/c/", html, StringComparison.Ordinal);
        Assert.Contains("/unsubscribe/", html, StringComparison.Ordinal);
    }

    private static IEnumerable<JsonObject> Clicks(JsonObject timeline)
        => timeline["timeline"]!.AsArray().Select(e => e!.AsObject()).Where(e => (string)e["kind"]! == "clicked");

    /// <summary>Click tokens made with the Data Protection keys the stack's Notifier keeps in notifierdb.</summary>
    private async Task<ClickTokens> StackClickTokensAsync()
    {
        var connectionString = await stack.App.GetConnectionStringAsync("notifierdb");
        var services = new ServiceCollection();
        services.AddDbContext<NotifierDbContext>(o => o.UseNpgsql(connectionString).UseSnakeCaseNamingConvention());
        services.AddDataProtection().SetApplicationName("FlexyPe.Notifier").PersistKeysToDbContext<NotifierDbContext>();
        return new ClickTokens(services.BuildServiceProvider().GetRequiredService<IDataProtectionProvider>());
    }
}
