using Microsoft.Extensions.Options;

namespace FlexyPe.Workflows.Variants;

public static class VariantsServiceCollectionExtensions
{
    /// <summary>Variant tests between a step's approved variants (options <c>Workflows:Variants</c>).</summary>
    public static IHostApplicationBuilder AddVariantTests(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<VariantTestOptions>().BindConfiguration(VariantTestOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<VariantTestOptions>, VariantTestOptionsValidator>();
        builder.Services.AddSingleton<VariantTest>();
        return builder;
    }
}
