using FlexyPe.Workflows.Templates;

namespace FlexyPe.Recovery.UnitTests.Email;

/// <summary>The money filter: the store's currency and locale, as a shopper of that store reads prices.</summary>
public sealed class MoneyFilterTests
{
    private static async Task<string> RenderAsync(string template, object? amount, string currency, string locale)
    {
        var model = new Dictionary<string, object?>
        {
            ["amount"] = amount,
            ["brand"] = new Dictionary<string, object?> { ["currency"] = currency, ["locale"] = locale },
        };
        return await new LiquidTemplates().RenderAsync(template, model, html: true);
    }

    [Theory]
    [InlineData(630, "INR", "en-IN", "₹630.00")]
    [InlineData(2198, "INR", "en-IN", "₹2,198.00")]
    [InlineData(1234567.5, "INR", "en-IN", "₹12,34,567.50")]
    [InlineData(2198, "USD", "en-US", "$2,198.00")]
    [InlineData(1234567.5, "USD", "en-US", "$1,234,567.50")]
    [InlineData(2198, "GBP", "en-GB", "£2,198.00")]
    [InlineData(2198, "EUR", "de-DE", "2.198,00 €")]
    [InlineData(2198, "JPY", "ja-JP", "￥2,198")]
    [InlineData(2198, "EUR", "en-IN", "€2,198.00")]
    [InlineData(2198, "USD", "en-IN", "$2,198.00")]
    public async Task An_amount_reads_in_the_stores_currency_and_locale(double amount, string currency, string locale, string expected)
        => Assert.Equal(expected, await RenderAsync("{{ amount | money }}", (decimal)amount, currency, locale));

    [Fact]
    public async Task An_amount_sent_as_text_is_money_too()
        => Assert.Equal("₹630.00", await RenderAsync("{{ amount | money }}", "630", "INR", "en-IN"));

    [Fact]
    public async Task A_missing_amount_prints_nothing()
        => Assert.Equal("[]", await RenderAsync("[{{ amount | money }}]", null, "INR", "en-IN"));

    [Fact]
    public async Task A_template_can_name_another_currency()
        => Assert.Equal("$10.00", await RenderAsync("{{ amount | money: 'USD' }}", 10m, "INR", "en-US"));
}
