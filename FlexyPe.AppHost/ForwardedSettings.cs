using Microsoft.Extensions.Configuration;

namespace FlexyPe.AppHost;

public static class ForwardedSettings
{
    /// <summary>
    /// Passes every AppHost setting under <paramref name="section"/> (command line, environment, appsettings) to the
    /// service as an environment variable, so <c>dotnet run --project FlexyPe.AppHost -- --Workflows:TimeScale=60</c>
    /// reaches Workflows as <c>Workflows__TimeScale=60</c>.
    /// </summary>
    public static IResourceBuilder<T> WithSettingsFrom<T>(this IResourceBuilder<T> service, IConfiguration configuration, string section)
        where T : IResourceWithEnvironment
    {
        foreach (var (key, value) in configuration.GetSection(section).AsEnumerable())
        {
            if (value is not null)
            {
                service.WithEnvironment(key.Replace(":", "__", StringComparison.Ordinal), value);
            }
        }
        return service;
    }
}
