using System.Collections.Concurrent;
using System.Net;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using Fluid;

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

/// <summary>Liquid through Fluid: sandboxed (only the model's dictionaries and lists are visible), HTML-escaped output.</summary>
public sealed partial class LiquidTemplates
{
    private static readonly FluidParser Parser = new();
    private readonly ConcurrentDictionary<string, IFluidTemplate> cache = new(StringComparer.Ordinal);
    private readonly TemplateOptions options = new() { MaxSteps = 100_000, MaxRecursion = 20 };

    /// <summary>Parses <paramref name="source"/>; null when it parses, else the error with its position.</summary>
    public TemplateError? Validate(string source)
        => Parser.TryParse(source, out _, out var error) ? null : ToError(error);

    /// <summary>Renders <paramref name="source"/>; a template that does not parse or breaks a limit throws <see cref="TemplateRenderException"/>.</summary>
    public async Task<string> RenderAsync(string source, IReadOnlyDictionary<string, object?> model, bool html)
    {
        var template = cache.GetOrAdd(source, static s => Parser.TryParse(s, out var t, out var error)
            ? t
            : throw new TemplateRenderException("The template does not parse: " + error));
        var context = new TemplateContext(options);
        foreach (var (name, value) in model)
        {
            context.SetValue(name, value);
        }
        string rendered;
        try
        {
            rendered = await template.RenderAsync(context, HtmlEncoder.Default);
        }
        catch (Exception e) when (e is InvalidOperationException or ParseException or ArgumentException)
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
