using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FlexyPe.Recovery.StackTests.Notifier;
using FlexyPe.Recovery.StackTests.Workflows;

namespace FlexyPe.Recovery.StackTests.Assistance;

/// <summary>
/// The copy assistant on the real stack (docs/assistance.md): on with an <c>ai</c> connection string, its drafts
/// guarded before anyone sees them, nothing about a shopper sent to the model, and an approved variant competing with
/// the step's own copy in real emails, its sends counted by the variant test.
/// </summary>
[Collection(AssistedStackCollection.Name)]
public sealed class CopyAssistantTests(AssistedStack stack) : IDisposable
{
    private const string Sequence = "abandoned-checkout";
    private const string OwnSubjectForJohn = "John, you left something in your cart";
    private readonly WorkflowsApi api = new(stack);
    private readonly NormalizedEvents events = new();

    [Fact]
    public async Task Approved_assistant_copy_is_sent_beside_the_steps_own_and_counted_per_variant()
    {
        var status = await api.GetJsonAsync("/api/assistant/status");
        Assert.Equal("on", (string)status["state"]!);
        Assert.Equal(AssistedStack.ModelName, (string)status["model"]!);
        Assert.DoesNotContain(AssistedStack.ApiKey, status.ToJsonString(), StringComparison.Ordinal);

        // A shopper of the store is known to Workflows, with an email address and a phone number.
        var browsing = NormalizedEvents.NewEmail();
        await api.PostEventAsync(events.ProductViewed(browsing, "Walnut Brownie"));

        var response = await api.Http.PostAsJsonAsync($"/api/sequences/{Sequence}/steps/1/assistant/variants",
            new { store_id = events.StoreId, intent = "reminder", count = 6 }, WorkflowsApi.Json);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var proposal = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("ok", (string)proposal["outcome"]!);
        var kept = proposal["variants"]!.AsArray().Select(v => v!.AsObject()).ToList();
        Assert.Equal([AssistedStack.GoodSubject, "Still deciding? Your cart is saved"], kept.Select(v => (string)v["subject"]!));
        Assert.All(kept, v => Assert.Equal("proposed", (string)v["state"]!));
        var dropped = proposal["dropped"]!.AsArray()
            .ToDictionary(d => (string)d!["draft"]!["subject"]!, d => d!["reasons"]!.AsArray().Select(r => (string)r!["rule"]!).ToList());
        Assert.Equal(4, dropped.Count);
        Assert.Contains("url", dropped["Come back to your cart"]);
        Assert.Contains("subject_too_long", dropped["Your carefully chosen favourites are all still waiting for you in your cart"]);
        Assert.Contains("unknown_variable", dropped["{{ customer.email }}, your cart misses you"]);
        Assert.Contains("currency_without_discount", dropped["Only ₹630 to go"]);

        // The call is audited: model, tokens, outcome, what was kept and why the rest were dropped.
        var callId = (string)proposal["call_id"]!;
        var audit = Assert.Single(await api.QueryAsync(
            $"SELECT model, input_tokens, output_tokens, outcome, kept, array_to_string(dropped_reasons, ',') FROM assistant_calls WHERE id = '{callId}'"));
        Assert.Equal(AssistedStack.ModelName, (string)audit[0]!);
        Assert.Equal(412L, (long)audit[1]!);
        Assert.Equal(188L, (long)audit[2]!);
        Assert.Equal("ok", (string)audit[3]!);
        Assert.Equal(2, (int)audit[4]!);
        Assert.Contains("url", (string)audit[5]!);

        // What went over the wire: the chat completions call, and nothing about any shopper.
        var request = Assert.Single(stack.Model.Requests);
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.Equal($"Bearer {AssistedStack.ApiKey}", request.Authorization);
        Assert.Equal(AssistedStack.ModelName, (string)request.Json["model"]!);
        Assert.DoesNotContain(browsing, request.Body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("9876543210", request.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("@example.com", request.Body, StringComparison.OrdinalIgnoreCase);

        // Nothing generated is sent before a person approves it.
        var variantId = (string)kept[0]["id"]!;
        using (var approve = new HttpRequestMessage(HttpMethod.Post, $"/api/sequences/{Sequence}/steps/1/variants/{variantId}/approve"))
        {
            approve.Headers.Add("X-FlexyPe-Actor", "marketer@store.example");
            var approved = await api.Http.SendAsync(approve);
            Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
            Assert.Equal("approved", (string)(await approved.Content.ReadFromJsonAsync<JsonObject>())!["state"]!);
        }

        // Later shoppers abandon checkouts; each first email is the step's own copy or the approved variant.
        const int shoppers = 8;
        var emails = Enumerable.Range(0, shoppers).Select(_ => NormalizedEvents.NewEmail()).ToList();
        for (var i = 0; i < shoppers; i++)
        {
            await api.PostEventAsync(events.AbandonedCheckout($"chk-variant-{i}", emails[i]));
        }
        using var mailHttp = stack.App.CreateHttpClient("mail", "http");
        var mail = new MailSink(mailHttp);
        var firsts = new List<(string Subject, string Id)>();
        foreach (var email in emails)
        {
            var message = await Eventually.GetAsync<System.Text.Json.JsonElement?>(async () =>
                (await mail.MessagesToAsync(email))
                    .Where(m => m.GetProperty("subject").GetString() is OwnSubjectForJohn or AssistedStack.GoodSubjectForJohn)
                    .Cast<System.Text.Json.JsonElement?>().FirstOrDefault(),
                $"the first abandoned-checkout email to {email}");
            firsts.Add((message!.Value.GetProperty("subject").GetString()!, message.Value.GetProperty("id").GetString()!));
        }
        foreach (var (subject, id) in firsts.Where(f => f.Subject == AssistedStack.GoodSubjectForJohn))
        {
            Assert.Contains(AssistedStack.GoodOpening, await mail.HtmlAsync(id), StringComparison.Ordinal);
        }

        // The variant test counts each arm's sends as the mailboxes show them.
        var variants = await Eventually.MatchesAsync(() => api.GetJsonAsync($"/api/sequences/{Sequence}/steps/1/variants"),
            v => Sends(v["own_copy"]) + Sends(v["variants"]!.AsArray().Single(x => (string)x!["id"]! == variantId)!["result"]) == shoppers,
            "the variant stats to count every send", TimeSpan.FromSeconds(30));
        Assert.Equal(firsts.Count(f => f.Subject == OwnSubjectForJohn), Sends(variants["own_copy"]));
        Assert.Equal(firsts.Count(f => f.Subject == AssistedStack.GoodSubjectForJohn),
            Sends(variants["variants"]!.AsArray().Single(x => (string)x!["id"]! == variantId)!["result"]));
        var other = variants["variants"]!.AsArray().Single(x => (string)x!["id"]! == (string)kept[1]["id"]!)!;
        Assert.Equal("proposed", (string)other["state"]!);

        // The variant was written in this store's voice: another store's shoppers get the step's own copy only (by
        // chance alone, eight of them would all get it one time in 256).
        var otherStore = new NormalizedEvents();
        var strangers = Enumerable.Range(0, shoppers).Select(_ => NormalizedEvents.NewEmail()).ToList();
        for (var i = 0; i < shoppers; i++)
        {
            await api.PostEventAsync(otherStore.AbandonedCheckout($"chk-other-store-{i}", strangers[i]));
        }
        foreach (var email in strangers)
        {
            var subject = await Eventually.GetAsync(async () =>
                (await mail.MessagesToAsync(email)).Select(m => m.GetProperty("subject").GetString())
                    .FirstOrDefault(s => s is OwnSubjectForJohn or AssistedStack.GoodSubjectForJohn),
                $"the first abandoned-checkout email to {email}");
            Assert.Equal(OwnSubjectForJohn, subject);
        }

        // Still one call to the model: sending never asks it anything.
        Assert.Single(stack.Model.Requests);
    }

    private static long Sends(JsonNode? result) => result is null ? 0 : (long)result["sends"]!;

    public void Dispose() => api.Dispose();
}
