using System.Globalization;
using System.Text.Json;
using FlexyPe.Ingest;
using FlexyPe.Ingest.Parsing;
using FlexyPe.Notifier;
using FlexyPe.Notifier.Clicks;
using FlexyPe.Notifier.Composing;
using FlexyPe.Notifier.Dkim;
using FlexyPe.Notifier.Unsubscribe;
using FlexyPe.Workflows;
using FlexyPe.Workflows.Model;
using FlexyPe.Workflows.Sequences;
using FlexyPe.Workflows.Stores;
using FlexyPe.Workflows.Templates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using MimeKit;
using NotifierRequest = FlexyPe.Notifier.Model.MessageRequest;

namespace FlexyPe.Recovery.UnitTests.Email;

/// <summary>A normalized event to render a step against, named for the test output.</summary>
public sealed record SampleEventCase(string Name, string Trigger, string Json)
{
    public override string ToString() => Name;
}

/// <summary>A step as Workflows renders it (the preview) and as Notifier sends it.</summary>
public sealed record RenderedEmail(string Subject, string? PreviewText, string PreviewHtml, NotifierRequest Request, MimeMessage Mime)
{
    public string Html => Mime.HtmlBody!;
    public string Text => Mime.TextBody!;
}

/// <summary>
/// Renders the seeded steps the way the services do, without a database: Workflows' model and Liquid, then Notifier's
/// composer (unsubscribe link, click tracking, CSS inlining, text part, DKIM), with Data Protection keys of its own.
/// </summary>
public static class EmailRendering
{
    public const string PublicBaseUrl = "https://notifier.example.test";

    public static readonly StoreBrand Brand = new("My Awesome Store", null, "#1f6f5c", "INR", "en-IN", "12 MG Road, Bengaluru 560001, India");

    public static readonly IReadOnlyList<Sequence> Sequences = DefaultSequences.Build(new SeedOptions(), DateTimeOffset.UnixEpoch);

    private static readonly LiquidTemplates Templates = new();

    public static SequenceStep Step(string sequenceKey, int number)
        => Sequences.Single(s => s.Key == sequenceKey).Steps.Single(s => s.Number == number);

    public static string TriggerOf(string sequenceKey) => Sequences.Single(s => s.Key == sequenceKey).Trigger;

    /// <summary>The built-in sample of each trigger and every documented webhook sample of it, normalized by Ingest's parser.</summary>
    public static IReadOnlyList<SampleEventCase> EventsOf(string trigger)
    {
        var cases = new List<SampleEventCase> { new($"built-in {trigger} sample", trigger, SampleEvent.For(trigger)) };
        foreach (WebhookSample row in WebhookSamples.All)
        {
            var sample = row;
            const string eventId = "evt_email_test";
            using var body = JsonDocument.Parse(sample.Body.Replace("{{event_id}}", eventId, StringComparison.Ordinal));
            var delivery = new WebhookDelivery(body.RootElement, sample.SendEventIdHeader ? eventId : null, sample.Version,
                sample.PathKind, DateTimeOffset.Parse("2026-05-07T10:00:01Z", CultureInfo.InvariantCulture));
            var json = IngestJson.Serialize(FlexyPeEventParser.Parse(delivery, eventId));
            using var normalized = JsonDocument.Parse(json);
            if (normalized.RootElement.GetProperty("type").GetString() == trigger)
            {
                cases.Add(new SampleEventCase(sample.Name, trigger, json));
            }
        }
        return cases;
    }

    public static async Task<RenderedEmail> RenderAsync(
        SequenceStep step, string eventJson, StoreBrand? brand = null, bool trackClicks = false,
        IReadOnlyList<string>? viewedProducts = null, IReadOnlyList<string>? viewedCollections = null, DkimSigning? dkim = null)
    {
        var model = MessageModel.Build(eventJson, viewedProducts ?? SampleEvent.ViewedProducts, viewedCollections ?? SampleEvent.ViewedCollections,
            step.DiscountCode, brand ?? Brand);
        var subject = (await Templates.RenderAsync(step.Subject, model, html: false)).Trim();
        var preview = step.PreviewText is null ? null : (await Templates.RenderAsync(step.PreviewText, model, html: false)).Trim();
        model["preview_text"] = preview;
        var html = await Templates.RenderAsync(step.Template, model, html: true);

        using var document = JsonDocument.Parse(eventJson);
        var request = new NotifierRequest
        {
            Id = Guid.CreateVersion7(),
            IdempotencyKey = $"enrollment:{Guid.NewGuid()}:step:{step.Number}",
            StoreId = MessageModel.StoreIdOf(eventJson),
            StoreName = (brand ?? Brand).Name,
            To = "shopper@example.com",
            Subject = subject,
            HtmlBody = html,
            TrackClicks = trackClicks,
            CreatedAt = DateTimeOffset.Parse("2026-05-07T11:00:00Z", CultureInfo.InvariantCulture),
            MessageId = "0123456789abcdef0123456789abcdef@my-store.com",
        };
        var mime = Composer(dkim).Compose(request);
        return new RenderedEmail(subject, preview, html, request, mime);
    }

    public static readonly IDataProtectionProvider Keys = DataProtectionProvider.Create("FlexyPe.Notifier.UnitTests");
    public static readonly ClickTokens ClickTokens = new(Keys);

    public static NotifierOptions NotifierOptions(Action<NotifierOptions>? configure = null)
    {
        var options = new NotifierOptions { PublicBaseUrl = PublicBaseUrl, DefaultFrom = "My Awesome Store <hello@my-store.com>" };
        configure?.Invoke(options);
        return options;
    }

    public static MessageComposer Composer(DkimSigning? dkim = null, NotifierOptions? options = null)
    {
        var wrapped = Options.Create(options ?? NotifierOptions());
        return new MessageComposer(wrapped, new UnsubscribeTokens(Keys), ClickTokens, dkim ?? new DkimSigning(wrapped));
    }

    /// <summary>A normalized abandoned checkout with the given cart lines (JSON objects), as Ingest would send it.</summary>
    public static string CheckoutWithCart(IEnumerable<string> lines, decimal totalPayable)
        => $$"""
        { "event_id": "evt_cart", "store_id": "my-store.myshopify.com", "type": "abandoned_checkout", "payload_version": "2026-05",
          "occurred_at": "2026-05-07T10:00:00+00:00",
          "store": { "id": "store_01", "name": "My Awesome Store", "shopify_domain": "my-store.myshopify.com", "main_domain": "my-store.com" },
          "customer": { "email": "john.doe@example.com", "first_name": "John" },
          "checkout": { "key": "k1", "session_state": "ADDRESS_LOADED", "checkout_url": "https://my-store.myshopify.com/?flx_s=k1",
                        "total_payable": {{totalPayable.ToString(CultureInfo.InvariantCulture)}}, "discount": 0 },
          "cart": [ {{string.Join(",", lines)}} ], "session": null, "product": null, "collection": null, "utm": null }
        """;
}
