using System.Text.RegularExpressions;

namespace FlexyPe.Console.Shoppers;

public static partial class ShopperQuery
{
    /// <summary>A phone number as Workflows stores it (E.164: "+919876543210"), from what a person types, or null.</summary>
    public static string? Phone(string text)
    {
        var digits = Separators().Replace(text.Trim(), "");
        return E164().IsMatch(digits) ? digits : null;
    }

    [GeneratedRegex(@"[\s\-().]")]
    private static partial Regex Separators();

    [GeneratedRegex(@"^\+[1-9]\d{6,14}$")]
    private static partial Regex E164();
}
