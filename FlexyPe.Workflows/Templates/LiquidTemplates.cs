using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using System.Text.Unicode;
using Fluid;
using Fluid.Values;
using Microsoft.Extensions.FileProviders;

namespace FlexyPe.Workflows.Templates;

/// <summary>Where a template failed to parse (1-based line and column) and why.</summary>
public sealed record TemplateError(string Message, int? Line, int? Column);

/// <summary>A template that does not parse: which step and field, and where.</summary>
public sealed record TemplateProblem(int Step, string Field, string Message, int? Line, int? Column);

/// <summary>A template that failed at render time (does not parse, or broke a limit); the message is fit to show a marketer.</summary>
public sealed class TemplateRenderException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>Which field of a step (subject, preview_text, template), when known.</summary>
    public string? Field { get; init; }
}

/// <summary>
/// Liquid through Fluid: sandboxed (only the model's dictionaries and lists are visible), HTML-escaped output, the
/// <c>money</c> filter, and the shared email partials (<c>Templates/Partials/*.liquid</c>: <c>layout</c>, <c>cart</c>,
/// <c>button</c>, <c>products</c>, <c>discount</c>) that <c>{% include %}</c> reads.
/// </summary>
public sealed partial class LiquidTemplates
{
    private static readonly FluidParser Parser = new();

    /// <summary>Escapes what HTML needs escaped and nothing more: ₹, accents and scripts stay readable UTF-8.</summary>
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    private readonly ConcurrentDictionary<string, IFluidTemplate> cache = new(StringComparer.Ordinal);
    private readonly TemplateOptions options = CreateOptions();

    private static TemplateOptions CreateOptions()
    {
        var options = new TemplateOptions
        {
            MaxSteps = 100_000,
            MaxRecursion = 20,
            FileProvider = new EmbeddedFileProvider(typeof(LiquidTemplates).Assembly, "FlexyPe.Workflows.Templates.Partials"),
        };
        options.Filters.AddFilter("money", Money);
        return options;
    }

    /// <summary>
    /// <c>{{ line.price | money }}</c>: the amount in the store's currency and locale (<c>brand.currency</c>,
    /// <c>brand.locale</c>); <c>{{ 10 | money: 'USD' }}</c> names another currency. Nothing for a missing amount.
    /// </summary>
    private static ValueTask<FluidValue> Money(FluidValue input, FilterArguments arguments, TemplateContext context)
    {
        decimal amount;
        if (input is NumberValue number)
        {
            amount = number.ToNumberValue();
        }
        else if (input.IsNil() || !decimal.TryParse(input.ToStringValue(), NumberStyles.Number, CultureInfo.InvariantCulture, out amount))
        {
            return new ValueTask<FluidValue>(StringValue.Empty);
        }
        var currency = arguments.Count > 0 ? arguments.At(0).ToStringValue() : context.AmbientValues.TryGetValue("currency", out var c) ? c as string : null;
        var locale = context.AmbientValues.TryGetValue("locale", out var l) ? l as string : null;
        return new ValueTask<FluidValue>(new StringValue(MoneyFormat.Format(amount, currency, locale)));
    }

    public LiquidTemplates() => TemplateLimits.Apply(options);

    /// <summary>Parses <paramref name="source"/>; null when it parses within the limits, else the error with its position.</summary>
    public TemplateError? Validate(string source)
        => !Parser.TryParse(source, out var parsed, out var error) ? ToError(error)
            : TemplateLimits.Problem(parsed) is { } problem ? new TemplateError(problem, null, null)
            : null;

    /// <summary>Renders <paramref name="source"/>; a template that does not parse or breaks a limit throws <see cref="TemplateRenderException"/>.</summary>
    public async Task<string> RenderAsync(string source, IReadOnlyDictionary<string, object?> model, bool html)
    {
        var template = cache.GetOrAdd(source, static s => Parser.TryParse(s, out var t, out var error)
            ? TemplateLimits.Bound(t)
            : throw new TemplateRenderException("The template does not parse: " + error));
        var context = new TemplateContext(options);
        foreach (var (name, value) in model)
        {
            context.SetValue(name, value);
        }
        if (model.GetValueOrDefault("brand") is IReadOnlyDictionary<string, object?> brand)
        {
            context.AmbientValues["currency"] = brand.GetValueOrDefault("currency");
            context.AmbientValues["locale"] = brand.GetValueOrDefault("locale");
        }
        string rendered;
        try
        {
            rendered = await template.RenderAsync(context, Encoder);
        }
        catch (Exception e) when (e is InvalidOperationException or ParseException or ArgumentException or FileNotFoundException)
        {
            // Fluid's own limits (steps, recursion) and evaluation errors: the template's fault, said in its words.
            throw new TemplateRenderException("The template could not be rendered: " + e.Message, e);
        }
        // A subject is plain text: escaping applies to HTML bodies only.
        return html ? rendered : WebUtility.HtmlDecode(rendered);
    }

    private static TemplateError ToError(string message)
    {
        // Fluid reports the position as "(line:column)".
        var match = Position().Match(message);
        return match.Success
            ? new TemplateError(message, int.Parse(match.Groups[1].Value), int.Parse(match.Groups[2].Value))
            : new TemplateError(message, null, null);
    }

    [GeneratedRegex(@"\((\d+):(\d+)\)")]
    private static partial Regex Position();
}
