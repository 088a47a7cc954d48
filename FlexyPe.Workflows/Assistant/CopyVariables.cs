using Fluid;
using FlexyPe.Workflows.Stores;
using FlexyPe.Workflows.Templates;

namespace FlexyPe.Workflows.Assistant;

/// <summary>
/// The Liquid variables generated copy may use, with samples rendered from the built-in sample checkout. A shopper's
/// email, phone and last name are deliberately not among them, and money appears only for a step with a discount.
/// </summary>
public static class CopyVariables
{
    private static readonly FluidParser Parser = new();

    private static readonly (string Path, string Description, bool DiscountOnly)[] Standard =
    [
        ("customer.first_name", "the shopper's first name; may be empty, so write {{ customer.first_name | default: \"there\" }}", false),
        ("store_name", "the store's name", false),
        ("cart.first.title", "the title of the first product in the cart (abandoned checkouts only)", false),
        ("totals.item_count", "how many items are in the cart", false),
        ("recently_viewed.products.first.title", "the product the shopper viewed last (abandoned sessions)", false),
        ("discount_code", "the step's discount code, exactly as the shopper types it", true),
        ("totals.total_payable", "the cart's total, a number without a currency symbol", true),
    ];

    /// <summary>The standard variables for a step with or without a discount.</summary>
    public static IReadOnlyList<CopyVariable> For(bool hasDiscount)
    {
        var defaults = new StoreDefaultsOptions();
        var brand = new StoreBrand("My Awesome Store", defaults.LogoUrl, defaults.BrandColour, defaults.Currency, defaults.Locale, defaults.AddressLine);
        var model = MessageModel.Build(SampleEvent.Json, SampleEvent.ViewedProducts, SampleEvent.ViewedCollections, hasDiscount ? "COMEBACK10" : null, brand);
        var context = new TemplateContext(new TemplateOptions());
        foreach (var (name, value) in model)
        {
            context.SetValue(name, value);
        }
        return [.. Standard
            .Where(v => hasDiscount || !v.DiscountOnly)
            .Select(v => new CopyVariable(v.Path, v.Description, Parser.Parse("{{ " + v.Path + " }}").Render(context, NullEncoder.Default)))];
    }
}
