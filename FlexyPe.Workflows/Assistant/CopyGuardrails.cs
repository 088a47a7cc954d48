using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Html.Parser;
using Fluid;
using Fluid.Ast;
using Fluid.Values;

namespace FlexyPe.Workflows.Assistant;

/// <summary>
/// The rules a generated draft must pass before a marketer sees it, checked in code whatever the model was told:
/// Liquid that parses and uses only the allowed variables; no prices, percentages, currency or literal discount codes
/// unless the step has a discount; no URLs; no HTML; none of the store's banned phrases; a subject of at most
/// <see cref="SubjectMaxLength"/> characters as the shopper sees it. A draft that breaks any rule is dropped with
/// every reason; the caller keeps the rest.
/// </summary>
public sealed partial class CopyGuardrails
{
    public const int SubjectMaxLength = 60;

    private static readonly FluidParser Parser = new();
    private static readonly HtmlParser Html = new();

    /// <summary>Every ISO 4217 code and every multi-letter local symbol (Rs, kr, zł…) .NET knows, for "a number next to a currency".</summary>
    private static readonly HashSet<string> MoneyWords = BuildMoneyWords();

    public IReadOnlyList<GuardrailViolation> Check(CopyDraft draft, CopyBrief brief)
    {
        var violations = new List<GuardrailViolation>();
        CheckField("subject", draft.Subject, brief, violations);
        CheckField("preview_text", draft.PreviewText, brief, violations);
        CheckField("opening", draft.Opening, brief, violations);
        return violations;
    }

    private static void CheckField(string field, string? value, CopyBrief brief, List<GuardrailViolation> violations)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            violations.Add(new(field, GuardrailRules.Empty, "is empty"));
            return;
        }
        if (!Parser.TryParse(value, out var template, out var error))
        {
            violations.Add(new(field, GuardrailRules.LiquidSyntax, "is not valid Liquid: " + error));
            return;
        }

        var walk = new LiquidWalk();
        walk.VisitTemplate(template);
        if (walk.Includes)
        {
            violations.Add(new(field, GuardrailRules.TemplateInclude, "includes or renders another template"));
        }
        foreach (var path in walk.Variables.Distinct(StringComparer.Ordinal))
        {
            if (!brief.AllowedVariables.Any(v => path == v.Path || path.StartsWith(v.Path + ".", StringComparison.Ordinal)))
            {
                violations.Add(new(field, GuardrailRules.UnknownVariable, $"uses {{{{ {path} }}}}, which is not an allowed variable"));
            }
        }

        // What the shopper reads besides the variables: the literal text and the string literals inside Liquid.
        var text = walk.Text.ToString();
        CheckText(field, text, brief, violations);

        if (field == "subject" && ShopperLength(template, value, brief) is var length && length > SubjectMaxLength)
        {
            violations.Add(new(field, GuardrailRules.SubjectTooLong, $"is {length} characters as a shopper sees it; at most {SubjectMaxLength}"));
        }
    }

    private static void CheckText(string field, string text, CopyBrief brief, List<GuardrailViolation> violations)
    {
        if (HasHtml(text))
        {
            violations.Add(new(field, GuardrailRules.Html, "contains HTML (a tag or an entity); copy is plain text"));
        }
        if (Url().Match(text) is { Success: true } url)
        {
            violations.Add(new(field, GuardrailRules.Url, $"contains a URL or domain ('{url.Value}'); links come from the template"));
        }
        if (!brief.HasDiscount)
        {
            if (text.EnumerateRunes().FirstOrDefault(r => Rune.GetUnicodeCategory(r) == UnicodeCategory.CurrencySymbol) is { Value: not 0 } symbol)
            {
                violations.Add(new(field, GuardrailRules.Currency, $"mentions money ('{symbol}') but the step has no discount"));
            }
            else if (MoneyNextToNumber(text) is { } money)
            {
                violations.Add(new(field, GuardrailRules.Currency, $"mentions money ('{money}') but the step has no discount"));
            }
            if (Percentage().Match(text) is { Success: true } percent)
            {
                violations.Add(new(field, GuardrailRules.Percentage, $"mentions a percentage ('{percent.Value.Trim()}') but the step has no discount"));
            }
            if (PriceLike().Match(text) is { Success: true } price)
            {
                violations.Add(new(field, GuardrailRules.Price, $"mentions a price or an amount off ('{price.Value.Trim()}') but the step has no discount"));
            }
        }
        // A code the model made up would not work at checkout; the real one is {{ discount_code }}, rendered per message.
        if (CodeLike().Match(text) is { Success: true } code)
        {
            violations.Add(new(field, GuardrailRules.DiscountCode, brief.HasDiscount
                ? $"writes a discount code ('{code.Value.Trim()}'); use {{{{ discount_code }}}} instead"
                : $"writes a discount code ('{code.Value.Trim()}') but the step has no discount"));
        }
        var plain = Whitespace().Replace(text, " ");
        foreach (var phrase in brief.BannedPhrases.Where(p => !string.IsNullOrWhiteSpace(p)))
        {
            if (CultureInfo.InvariantCulture.CompareInfo.IndexOf(plain, Whitespace().Replace(phrase.Trim(), " "), CompareOptions.IgnoreCase) >= 0)
            {
                violations.Add(new(field, GuardrailRules.BannedPhrase, $"uses the banned phrase '{phrase.Trim()}'"));
            }
        }
    }

    /// <summary>HTML5 parsing as a browser would: any element, or an entity that decodes to something else, is HTML.</summary>
    private static bool HasHtml(string text)
    {
        if (text.IndexOfAny(['<', '&']) < 0)
        {
            return false;
        }
        using var document = Html.ParseDocument("<!DOCTYPE html><html><head></head><body>" + text + "</body></html>");
        var body = document.Body!;
        return body.Children.Length > 0 || document.Head!.Children.Length > 0 || body.TextContent != text;
    }

    /// <summary>The subject rendered with each variable's sample value, in user-perceived characters (an emoji is one).</summary>
    private static int ShopperLength(IFluidTemplate template, string source, CopyBrief brief)
    {
        var context = new TemplateContext(new TemplateOptions { MaxSteps = 10_000 });
        foreach (var (name, value) in SampleModel(brief.AllowedVariables))
        {
            context.SetValue(name, value);
        }
        string rendered;
        try
        {
            rendered = template.Render(context, NullEncoder.Default);
        }
        catch (Exception)
        {
            // What cannot be rendered with the samples (an include, a bad filter argument) is measured as written.
            rendered = source;
        }
        return new StringInfo(Whitespace().Replace(rendered.Trim(), " ")).LengthInTextElements;
    }

    /// <summary>Nested dictionaries from dotted paths: <c>customer.first_name</c> → customer → first_name.</summary>
    private static Dictionary<string, object?> SampleModel(IEnumerable<CopyVariable> variables)
    {
        var root = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var variable in variables)
        {
            var parts = variable.Path.Split('.');
            var node = root;
            foreach (var part in parts[..^1])
            {
                if (node.GetValueOrDefault(part) is not Dictionary<string, object?> child)
                {
                    child = new Dictionary<string, object?>(StringComparer.Ordinal);
                    node[part] = child;
                }
                node = child;
            }
            node[parts[^1]] = variable.Sample;
        }
        return root;
    }

    private static HashSet<string> BuildMoneyWords()
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        foreach (var culture in CultureInfo.GetCultures(CultureTypes.SpecificCultures))
        {
            try
            {
                var region = new RegionInfo(culture.Name);
                words.Add(region.ISOCurrencySymbol);
                words.Add(region.CurrencySymbol.TrimEnd('.'));
            }
            catch (ArgumentException)
            {
                // A culture without a region (none among specific cultures today).
            }
            words.Add(culture.NumberFormat.CurrencySymbol.TrimEnd('.'));
        }
        // Words of two letters or more: symbols are caught by their Unicode category, single letters (R, K, L) are too common.
        words.RemoveWhere(w => w.Length < 2 || !w.All(char.IsLetter));
        return words;
    }

    /// <summary>A currency word right next to a number ("Rs. 499", "499 INR", "USD20"), or null.</summary>
    private static string? MoneyNextToNumber(string text)
    {
        var tokens = WordOrNumber().Matches(text);
        for (var i = 0; i + 1 < tokens.Count; i++)
        {
            var (left, right) = (tokens[i], tokens[i + 1]);
            var gap = text.AsSpan(left.Index + left.Length, right.Index - left.Index - left.Length);
            if (gap.Length > 2 || !gap.Trim(" .").IsEmpty)
            {
                continue;
            }
            var (word, number) = char.IsDigit(left.Value[0]) ? (right.Value, left.Value) : (left.Value, right.Value);
            if (char.IsDigit(number[0]) && !char.IsDigit(word[0]) && MoneyWords.Contains(word))
            {
                return text[left.Index..(right.Index + right.Length)];
            }
        }
        return null;
    }

    [GeneratedRegex(@"[\p{L}\p{M}]+|\d+")]
    private static partial Regex WordOrNumber();

    [GeneratedRegex(@"\d\s?(?:%|％|percent\b|per cent\b|pct\b)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Percentage();

    /// <summary>Amounts off ("200 off", "flat 200") and numbers written like money (1,299 or 499.00).</summary>
    [GeneratedRegex(@"\b\d+\s*off\b|\bflat\s+\d+|\b\d{1,3}(?:,\d{2,3})+(?:\.\d+)?\b|\b\d+\.\d{2}\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PriceLike();

    /// <summary>SAVE10, COMEBACK10, FLAT200; or an all-capitals word right after "code", "coupon" or "promo".</summary>
    [GeneratedRegex(@"\b[A-Z]{3,}\d+[A-Z\d]*\b|\b(?:code|coupon|promo)\s*:?\s+[A-Z][A-Z\d]{3,}\b", RegexOptions.CultureInvariant)]
    private static partial Regex CodeLike();

    /// <summary>A scheme, a www. host, or a dotted name ending in a two-letter-or-longer label (shop.com, my-store.in/sale).</summary>
    [GeneratedRegex(@"\b(?:https?|ftp)://\S+|\bwww\.\S+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:/\S*)?(?=$|[\s,;:!?)\]'""]|\.(?:\s|$))", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Url();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    /// <summary>Walks a parsed template: the variables it reads, its literal text, and whether it pulls in other templates.</summary>
    private sealed class LiquidWalk : AstVisitor
    {
        private readonly HashSet<string> locals = new(StringComparer.Ordinal);

        public List<string> Variables { get; } = [];
        public StringBuilder Text { get; } = new();
        public bool Includes { get; private set; }

        protected override Statement VisitTextSpanStatement(TextSpanStatement textSpanStatement)
        {
            Text.Append(textSpanStatement.Text.ToString()).Append(' ');
            return base.VisitTextSpanStatement(textSpanStatement);
        }

        protected override Statement VisitRawStatement(RawStatement rawStatement)
        {
            Text.Append(rawStatement.Text.ToString()).Append(' ');
            return base.VisitRawStatement(rawStatement);
        }

        protected override Expression VisitLiteralExpression(LiteralExpression literalExpression)
        {
            if (literalExpression.Value is StringValue value)
            {
                Text.Append(value.ToStringValue()).Append(' ');
            }
            return base.VisitLiteralExpression(literalExpression);
        }

        protected override Statement VisitForStatement(ForStatement forStatement)
        {
            locals.Add(forStatement.Identifier);
            locals.Add("forloop");
            return base.VisitForStatement(forStatement);
        }

        protected override Statement VisitTableRowStatement(TableRowStatement tableRowStatement)
        {
            locals.Add(tableRowStatement.Identifier);
            locals.Add("tablerowloop");
            return base.VisitTableRowStatement(tableRowStatement);
        }

        protected override Statement VisitAssignStatement(AssignStatement assignStatement)
        {
            // The value is read before the name exists: {% assign x = x %} reads an outer x.
            var result = base.VisitAssignStatement(assignStatement);
            locals.Add(assignStatement.Identifier);
            return result;
        }

        protected override Statement VisitCaptureStatement(CaptureStatement captureStatement)
        {
            var result = base.VisitCaptureStatement(captureStatement);
            locals.Add(captureStatement.Identifier);
            return result;
        }

        protected override Statement VisitIncrementStatement(IncrementStatement incrementStatement)
        {
            locals.Add(incrementStatement.Identifier);
            return base.VisitIncrementStatement(incrementStatement);
        }

        protected override Statement VisitDecrementStatement(DecrementStatement decrementStatement)
        {
            locals.Add(decrementStatement.Identifier);
            return base.VisitDecrementStatement(decrementStatement);
        }

        protected override Statement VisitIncludeStatement(IncludeStatement includeStatement)
        {
            Includes = true;
            return base.VisitIncludeStatement(includeStatement);
        }

        protected override Statement VisitRenderStatement(RenderStatement renderStatement)
        {
            Includes = true;
            return base.VisitRenderStatement(renderStatement);
        }

        protected override Expression VisitMemberExpression(MemberExpression memberExpression)
        {
            // The path is the leading run of names (cart.first.title); an indexer or a call ends it, and whatever an
            // indexer or a call reads is a variable of its own.
            var names = new List<string>();
            var open = true;
            foreach (var segment in memberExpression.Segments)
            {
                switch (segment)
                {
                    case IdentifierSegment identifier when open:
                        names.Add(identifier.Identifier);
                        break;
                    case IndexerSegment indexer:
                        open = false;
                        Visit(indexer.Expression);
                        break;
                    case FunctionCallSegment call:
                        open = false;
                        foreach (var argument in call.Arguments)
                        {
                            Visit(argument.Expression);
                        }
                        break;
                    default:
                        open = false;
                        break;
                }
            }
            if (names.Count > 0 && !locals.Contains(names[0]))
            {
                Variables.Add(string.Join('.', names));
            }
            return memberExpression;
        }
    }
}
