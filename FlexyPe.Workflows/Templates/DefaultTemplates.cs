namespace FlexyPe.Workflows.Templates;

/// <summary>
/// The seeded steps' templates, kept as files (<c>Templates/Defaults/*.liquid</c>, embedded in the assembly) so they
/// read and diff as HTML; seeding copies them into the steps, where marketers edit them as data.
/// </summary>
public static class DefaultTemplates
{
    /// <summary>The template <c>Templates/Defaults/{name}.liquid</c>.</summary>
    public static string Read(string name)
    {
        using var stream = typeof(DefaultTemplates).Assembly.GetManifestResourceStream($"FlexyPe.Workflows.Templates.Defaults.{name}.liquid")
            ?? throw new InvalidOperationException($"No default template '{name}'.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
