using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace FlexyPe.Notifier.Composing;

/// <summary>
/// The plain-text alternative of an HTML email, read from the parsed document: block elements become lines (single
/// lines inside a table cell, so a cart line stays together), links keep their address in brackets, a picture that
/// only links (no alt text) leaves nothing, list items get a dash, and nothing in head, style or script, or hidden
/// (the preheader), shows.
/// </summary>
public static class PlainTextRenderer
{
    private static readonly HashSet<string> Blocks = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "table", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "section", "article",
        "header", "footer", "blockquote", "pre", "hr", "address", "center",
    };

    private static readonly HashSet<string> Hidden = new(StringComparer.OrdinalIgnoreCase)
    {
        "head", "style", "script", "title", "noscript", "template",
    };

    public static string Render(string html) => Render(new HtmlParser().ParseDocument(html));

    public static string Render(IDocument document)
    {
        var text = new StringBuilder();
        Append(document.Body ?? (INode)document, text, inCell: false);
        return Tidy(text.ToString());
    }

    private static void Append(INode node, StringBuilder text, bool inCell)
    {
        foreach (var child in node.ChildNodes)
        {
            switch (child)
            {
                case IText t:
                    text.Append(CollapseWhitespace(t.Data));
                    break;
                case IElement element when Hidden.Contains(element.LocalName) || IsHiddenByStyle(element):
                    break;
                case IElement { LocalName: "br" }:
                    text.Append('\n');
                    break;
                case IElement { LocalName: "img" } image:
                    var alt = image.GetAttribute("alt");
                    if (!string.IsNullOrWhiteSpace(alt))
                    {
                        text.Append(alt);
                    }
                    break;
                case IElement { LocalName: "a" } link:
                    var before = text.Length;
                    Append(link, text, inCell);
                    var label = text.ToString(before, text.Length - before).Trim();
                    var href = link.GetAttribute("href");
                    if (label.Length == 0 && link.QuerySelector("img") is not null)
                    {
                        // A picture beside its own titled link: the text part has the title's link already.
                        break;
                    }
                    if (!string.IsNullOrWhiteSpace(href) && !href.StartsWith('#') && label != href)
                    {
                        while (text.Length > before && text[^1] == ' ')
                        {
                            text.Length--;
                        }
                        text.Append(label.Length > 0 ? $" ({href})" : href);
                    }
                    break;
                case IElement { LocalName: "li" } item:
                    text.Append("\n- ");
                    Append(item, text, inCell);
                    text.Append('\n');
                    break;
                case IElement { LocalName: "td" or "th" } cell:
                    // A cell beside others (a cart line's picture, title, price) keeps its paragraphs together; a
                    // layout's lone cell is just a frame.
                    Append(cell, text, inCell: cell.ParentElement?.Children.Count(c => c.LocalName is "td" or "th") > 1);
                    text.Append(' ');
                    break;
                case IElement { LocalName: "table" or "tr" } element:
                    text.Append("\n\n");
                    Append(element, text, inCell: false);
                    text.Append("\n\n");
                    break;
                case IElement element when Blocks.Contains(element.LocalName) && inCell:
                    text.Append('\n');
                    Append(element, text, inCell);
                    break;
                case IElement element when Blocks.Contains(element.LocalName):
                    text.Append("\n\n");
                    Append(element, text, inCell);
                    text.Append("\n\n");
                    break;
                default:
                    Append(child, text, inCell);
                    break;
            }
        }
    }

    /// <summary>An email's preheader and other content hidden from readers (<c>display:none</c>, Outlook's <c>mso-hide:all</c>).</summary>
    private static bool IsHiddenByStyle(IElement element)
    {
        var style = element.GetAttribute("style");
        if (string.IsNullOrEmpty(style))
        {
            return false;
        }
        var compact = style.Replace(" ", "", StringComparison.Ordinal);
        return compact.Contains("display:none", StringComparison.OrdinalIgnoreCase) || compact.Contains("mso-hide:all", StringComparison.OrdinalIgnoreCase);
    }

    private static string CollapseWhitespace(string value)
    {
        var result = new StringBuilder(value.Length);
        var lastWasSpace = false;
        foreach (var c in value)
        {
            if (char.IsWhiteSpace(c))
            {
                if (!lastWasSpace)
                {
                    result.Append(' ');
                }
                lastWasSpace = true;
            }
            else
            {
                result.Append(c);
                lastWasSpace = false;
            }
        }
        return result.ToString();
    }

    // Trims each line and keeps at most one empty line between paragraphs.
    private static string Tidy(string text)
    {
        var lines = text.Split('\n').Select(line => line.Trim());
        var result = new StringBuilder();
        var blank = 0;
        foreach (var line in lines)
        {
            if (line.Length == 0)
            {
                blank++;
                continue;
            }
            if (result.Length > 0)
            {
                result.Append(blank > 0 ? "\n\n" : "\n");
            }
            result.Append(line);
            blank = 0;
        }
        return result.ToString();
    }
}
