namespace FlexyPe.Workflows.Apis;

/// <summary>Who asked for a change: the console sends its signed-in user in <c>X-FlexyPe-Actor</c>; a bare admin-key call is "api".</summary>
public static class Actor
{
    public const string HeaderName = "X-FlexyPe-Actor";
    private const int MaxLength = 200;

    public static string Of(HttpRequest request)
    {
        var value = request.Headers[HeaderName].ToString().Trim();
        return value.Length == 0 ? "api" : value[..Math.Min(value.Length, MaxLength)];
    }
}
