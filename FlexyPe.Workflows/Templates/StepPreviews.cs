using FlexyPe.Workflows.Infrastructure;
using FlexyPe.Workflows.Model;
using FlexyPe.Workflows.Stores;
using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Workflows.Templates;

/// <summary>The parts of a step a marketer writes: what a preview renders, saved or not.</summary>
public sealed record StepDraft(string? Subject, string? PreviewText, string? Template, string? DiscountCode)
{
    public static StepDraft Of(SequenceStep step) => new(step.Subject, step.PreviewText, step.Template, step.DiscountCode);
}

/// <summary>A step rendered for a shopper: what the inbox shows and the HTML body, and for which store.</summary>
public sealed record RenderedStep(string Subject, string? PreviewText, string HtmlBody, string Source, string StoreId, EffectiveStoreSettings Store);

/// <summary>A preview's outcome: the rendered step, or template problems (line and column), or a missing event.</summary>
public sealed record PreviewOutcome(RenderedStep? Rendered, IReadOnlyList<TemplateProblem> Problems, string? NotFound);

/// <summary>
/// Renders a step (saved or a draft) against a stored event of a shopper (store_id + event_id) or the built-in sample
/// of the trigger, with the shopper's recent views and the store's brand, exactly as firing would.
/// </summary>
public sealed class StepPreviews(WorkflowsDbContext db, LiquidTemplates templates, StoreSettingsCatalog stores)
{
    public async Task<PreviewOutcome> RenderAsync(StepDraft step, int stepNumber, string? trigger, string? storeId, string? eventId, CancellationToken ct)
    {
        var problems = Problems(step, stepNumber);
        if (problems.Count > 0)
        {
            return new PreviewOutcome(null, problems, null);
        }

        var eventJson = SampleEvent.For(trigger);
        var views = new RecentViews(SampleEvent.ViewedProducts, SampleEvent.ViewedCollections);
        var source = "sample";
        if (storeId is not null && eventId is not null)
        {
            var stored = await db.ReceivedEvents.AsNoTracking().FirstOrDefaultAsync(r => r.StoreId == storeId && r.EventId == eventId, ct);
            if (stored is null)
            {
                return new PreviewOutcome(null, [], $"No stored event '{eventId}' of store '{storeId}'.");
            }
            eventJson = stored.Payload;
            source = $"event {eventId}";
            views = await RecentViews.LoadAsync(db, storeId, stored.ShopperEmail, ct);
        }
        var store = storeId ?? MessageModel.StoreIdOf(eventJson);
        var settings = await stores.ForStoreAsync(store, ct);
        var model = MessageModel.Build(eventJson, views.Products, views.Collections, step.DiscountCode, settings.Brand);
        try
        {
            var subject = (await templates.RenderAsync(step.Subject!, model, html: false)).Trim();
            var previewText = step.PreviewText is null ? null : (await templates.RenderAsync(step.PreviewText, model, html: false)).Trim();
            model["preview_text"] = previewText;
            var html = await templates.RenderAsync(step.Template!, model, html: true);
            return new PreviewOutcome(new RenderedStep(subject, previewText, html, source, store, settings), [], null);
        }
        catch (TemplateRenderException e)
        {
            return new PreviewOutcome(null, [new TemplateProblem(stepNumber, e.Field ?? "template", e.Message, null, null)], null);
        }
    }

    /// <summary>What does not parse, field by field, with its line and column.</summary>
    public List<TemplateProblem> Problems(StepDraft step, int stepNumber)
    {
        var problems = new List<TemplateProblem>();
        void Check(string? source, string field, bool required)
        {
            if (string.IsNullOrWhiteSpace(source))
            {
                if (required)
                {
                    problems.Add(new TemplateProblem(stepNumber, field, $"The {field.Replace('_', ' ')} is required.", null, null));
                }
                return;
            }
            if (templates.Validate(source) is { } error)
            {
                problems.Add(new TemplateProblem(stepNumber, field, error.Message, error.Line, error.Column));
            }
        }
        Check(step.Subject, "subject", required: true);
        Check(step.PreviewText, "preview_text", required: false);
        Check(step.Template, "template", required: true);
        return problems;
    }
}
