using System.Text.RegularExpressions;
using FlexyPe.Ingest.Model;

namespace FlexyPe.Ingest.Parsing;

/// <summary>
/// The class of device a shopper used, read from the user agent in FlexyPe's <c>client_meta</c>. Only the class goes
/// into the normalized event that Workflows sees: the user agent itself (like the IP address beside it) identifies a
/// person's device too closely to hand on.
/// </summary>
public static partial class DeviceClassifier
{
    /// <summary>The device class of <paramref name="userAgent"/>; null when there is none.</summary>
    public static string? Classify(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent))
        {
            return null;
        }
        // Order matters: crawlers claim to be browsers, tablets claim to be Android or Mac, phones claim to be Linux.
        if (Bot().IsMatch(userAgent))
        {
            return DeviceClasses.Bot;
        }
        if (Tablet().IsMatch(userAgent) || (userAgent.Contains("Android", StringComparison.OrdinalIgnoreCase) && !Mobile().IsMatch(userAgent)))
        {
            return DeviceClasses.Tablet;
        }
        if (Mobile().IsMatch(userAgent))
        {
            return DeviceClasses.Mobile;
        }
        return Desktop().IsMatch(userAgent) ? DeviceClasses.Desktop : DeviceClasses.Unknown;
    }

    [GeneratedRegex(@"bot\b|crawl|spider|slurp|headless|lighthouse|facebookexternalhit|preview|python-requests|curl/|wget/|okhttp|go-http-client|java/", RegexOptions.IgnoreCase)]
    private static partial Regex Bot();

    [GeneratedRegex(@"ipad|tablet|kindle|silk/|playbook|nexus (7|9|10)\b|sm-t\d", RegexOptions.IgnoreCase)]
    private static partial Regex Tablet();

    [GeneratedRegex(@"mobi|iphone|ipod|windows phone|blackberry|opera mini|iemobile", RegexOptions.IgnoreCase)]
    private static partial Regex Mobile();

    [GeneratedRegex(@"windows nt|macintosh|mac os x|x11|linux|cros", RegexOptions.IgnoreCase)]
    private static partial Regex Desktop();
}
