namespace FlexyPe.Workflows.Variants;

public static class VariantsServiceCollectionExtensions
{
    /// <summary>Variant tests between a step's approved variants (options <c>Workflows:Variants</c>).</summary>
    public static IHostApplicationBuilder AddVariantTests(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<VariantTestOptions>().Bind(builder.Configuration.GetSection(VariantTestOptions.Section));
        builder.Services.AddSingleton<VariantTest>();
        return builder;
    }
}
