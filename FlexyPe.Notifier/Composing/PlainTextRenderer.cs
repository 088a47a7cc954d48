using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace FlexyPe.Notifier.Composing;

/// <summary>
/// The plain-text alternative of an HTML email, read from the parsed document: block elements become lines, links
/// keep their address in brackets, list items get a dash, and nothing in head, style or script shows.
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

    public static string Render(string html)
    {
        var document = new HtmlParser().ParseDocument(html);
        var text = new StringBuilder();
        Append(document.Body ?? (INode)document, text);
        return Tidy(text.ToString());
    }

    private static void Append(INode node, StringBuilder text)
    {
        foreach (var child in node.ChildNodes)
        {
            switch (child)
            {
                case IText t:
                    text.Append(CollapseWhitespace(t.Data));
                    break;
                case IElement element when Hidden.Contains(element.LocalName):
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
                    Append(link, text);
                    var label = text.ToString(before, text.Length - before).Trim();
                    var href = link.GetAttribute("href");
                    if (!string.IsNullOrWhiteSpace(href) && !href.StartsWith('#') && label != href)
                    {
                        text.Append(label.Length > 0 ? $" ({href})" : href);
                    }
                    break;
                case IElement { LocalName: "li" } item:
                    text.Append("\n- ");
                    Append(item, text);
                    text.Append('\n');
                    break;
                case IElement { LocalName: "td" or "th" } cell:
                    Append(cell, text);
                    text.Append(' ');
                    break;
                case IElement element when Blocks.Contains(element.LocalName):
                    text.Append("\n\n");
                    Append(element, text);
                    text.Append("\n\n");
                    break;
                default:
                    Append(child, text);
                    break;
            }
        }
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
