namespace FlexyPe.Console.Accounts;

public static class LocalPath
{
    /// <summary>A return URL only if it stays on this site ("/sequences", not "//evil.example" or "https://…").</summary>
    public static string OrHome(string? returnUrl)
        => !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal)
            && !returnUrl.StartsWith("/\\", StringComparison.Ordinal)
            ? returnUrl
            : "/";
}
