using FlexyPe.Workflows.Templates;

namespace FlexyPe.Console.Sequences;

/// <summary>A draft step rendered for the live preview: what the inbox shows and the HTML body, or why it cannot be.</summary>
public sealed record RenderedDraft(string Subject, string? PreviewText, string Html, string? Failure);

/// <summary>Where a draft's template or subject does not parse, for the message beside the field.</summary>
public sealed record DraftError(string Message, int? Line, int? Column)
{
    public override string ToString() => Line is { } line ? $"Line {line}, column {Column}: {Short(Message)}" : Short(Message);

    // Fluid appends the position in parentheses, which the line and column already say.
    private static string Short(string message)
    {
        var at = message.LastIndexOf(" at (", StringComparison.Ordinal);
        return at > 0 ? message[..at] : message;
    }
}

/// <summary>
/// Renders an unsaved step as the marketer types, with Workflows' own Liquid code and message model against a built-in
/// sample of the sequence's trigger or a stored event. What is sent is still rendered by Workflows.
/// </summary>
public sealed class DraftPreview
{
    public DraftError? Validate(string? source)
        => new LiquidTemplates().Validate(source ?? "") is { } error ? new DraftError(error.Message, error.Line, error.Column) : null;

    public async Task<RenderedDraft> RenderAsync(string? subject, string? previewText, string? template, string? discountCode, PreviewSource source)
    {
        // A fresh instance each time: LiquidTemplates caches by source, and a draft is new text at every keystroke.
        var templates = new LiquidTemplates();
        foreach (var (field, text) in new[] { ("subject", subject), ("preview text", previewText), ("template", template) })
        {
            if (templates.Validate(text ?? "") is { } error)
            {
                return new RenderedDraft("", null, "", $"The {field} does not parse: {new DraftError(error.Message, error.Line, error.Column)}");
            }
        }
        try
        {
            var model = MessageModel.Build(source.EventJson, source.ViewedProducts, source.ViewedCollections, string.IsNullOrWhiteSpace(discountCode) ? null : discountCode.Trim());
            var renderedSubject = (await templates.RenderAsync(subject ?? "", model, html: false)).Trim();
            var renderedPreview = string.IsNullOrWhiteSpace(previewText) ? null : (await templates.RenderAsync(previewText, model, html: false)).Trim();
            var html = await templates.RenderAsync(template ?? "", model, html: true);
            return new RenderedDraft(renderedSubject, renderedPreview, html, null);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or Fluid.ParseException)
        {
            return new RenderedDraft("", null, "", "It parses, but could not be rendered: " + e.Message);
        }
    }
}

/// <summary>The event a preview renders against: a built-in sample of a trigger, or a stored event a shopper sent.</summary>
public sealed record PreviewSource(string Label, string EventJson, IReadOnlyList<string> ViewedProducts, IReadOnlyList<string> ViewedCollections)
{
    public static PreviewSource SampleFor(string trigger) => trigger switch
    {
        "abandoned_session" => new("Sample: abandoned browsing session (John Doe)", SessionSample, SampleEvent.ViewedProducts, SampleEvent.ViewedCollections),
        "new_customer" => new("Sample: new customer (John Doe)", NewCustomerSample, SampleEvent.ViewedProducts, SampleEvent.ViewedCollections),
        _ => new("Sample: abandoned checkout (John Doe, Multigrain Atta)", SampleEvent.Json, SampleEvent.ViewedProducts, SampleEvent.ViewedCollections),
    };

    public static PreviewSource Stored(string label, string normalizedEventJson) => new(label, normalizedEventJson, [], []);

    // The same shopper and store as Workflows' abandoned-checkout sample, as the other triggers' events arrive normalized.
    private const string SessionSample = """
        {
          "event_id": "sample-session", "store_id": "my-store.myshopify.com", "type": "abandoned_session",
          "payload_version": "2026-05", "occurred_at": "2026-05-07T10:00:00+00:00",
          "store": { "id": "store_01", "name": "My Awesome Store", "shopify_domain": "my-store.myshopify.com", "main_domain": "my-store.com" },
          "customer": { "email": "john.doe@example.com", "phone": "+919876543210", "first_name": "John", "last_name": "Doe", "full_name": "John Doe", "shopify_customer_id": null },
          "checkout": null,
          "cart": [ { "title": "Multigrain Atta", "variant_title": "400gms / Gluten-Free", "image": "https://cdn.example.com/atta.png",
            "price": 630, "quantity": 1, "product_id": "7516974022740", "variant_id": "41564857663572", "handle": "multigrain-atta" } ],
          "session": { "key": "sample-session-1", "pages": ["https://my-store.com/products/multigrain-atta"], "last_page_visited": "https://my-store.com/products/multigrain-atta", "last_activity_at": "2026-05-07T09:58:00+00:00" },
          "product": null, "collection": null, "utm": null
        }
        """;

    private const string NewCustomerSample = """
        {
          "event_id": "sample-customer", "store_id": "my-store.myshopify.com", "type": "new_customer",
          "payload_version": "2026-05", "occurred_at": "2026-05-07T10:00:00+00:00",
          "store": { "id": "store_01", "name": "My Awesome Store", "shopify_domain": "my-store.myshopify.com", "main_domain": "my-store.com" },
          "customer": { "email": "john.doe@example.com", "phone": "+919876543210", "first_name": "John", "last_name": "Doe", "full_name": "John Doe", "shopify_customer_id": "6543210987" },
          "checkout": null, "cart": [], "session": null, "product": null, "collection": null, "utm": null
        }
        """;
}
