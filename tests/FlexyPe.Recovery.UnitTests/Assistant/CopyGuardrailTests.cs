using FlexyPe.Workflows.Assistant;

namespace FlexyPe.Recovery.UnitTests.Assistant;

/// <summary>The guardrails one rule at a time: what each lets through and what it stops, with and without a discount.</summary>
public sealed class CopyGuardrailTests
{
    private static readonly CopyGuardrails Guardrails = new();

    private static CopyBrief Brief(bool hasDiscount, params string[] banned) => new(
        "store-1", "abandoned-checkout", "abandoned_checkout", 2, 3, hasDiscount, StepIntents.Reminder,
        new BrandVoice("en", null), CopyVariables.For(hasDiscount), banned, 3);

    private static string[] RulesForSubject(string subject, bool hasDiscount = false, params string[] banned)
        => [.. Guardrails.Check(new CopyDraft(subject, "Your cart is saved.", "Pick up where you left off."), Brief(hasDiscount, banned)).Select(v => v.Rule)];

    private static string[] RulesForOpening(string opening, bool hasDiscount = false)
        => [.. Guardrails.Check(new CopyDraft("Your cart is saved", "Your cart is saved.", opening), Brief(hasDiscount)).Select(v => v.Rule)];

    [Theory]
    [InlineData("{{ customer.first_name | default: \"there\" }}, your cart is waiting")]
    [InlineData("Still thinking about {{ cart.first.title }}?")]
    [InlineData("{{ store_name }} saved {{ totals.item_count }} items for you")]
    [InlineData("{% if customer.first_name %}{{ customer.first_name }}, you{% else %}You{% endif %} left something")]
    [InlineData("{% assign who = customer.first_name | default: \"friend\" %}{{ who }}, come back")]
    [InlineData("Tom & Jerry would approve; I <3 this cart")]
    [InlineData("Back in stock: e.g. the one you liked. See you soon.")]
    [InlineData("Only 3 left in your size")]
    public void Copy_that_keeps_to_the_rules_passes(string subject)
        => Assert.Empty(RulesForSubject(subject));

    [Theory]
    [InlineData("{{ customer.email }}, still thinking?", "customer.email")]
    [InlineData("{{ customer.phone }} we called", "customer.phone")]
    [InlineData("{{ customer.first_name | default: customer.last_name }}, hi", "customer.last_name")]
    [InlineData("{% for line in cart %}{{ line.title }}{% endfor %}", "cart")]
    [InlineData("{{ checkout_url }}", "checkout_url")]
    [InlineData("Use {{ discount_code }} today", "discount_code")]
    public void A_variable_outside_the_allowed_list_is_refused_by_name(string subject, string variable)
    {
        var violation = Assert.Single(Guardrails.Check(new CopyDraft(subject, "Saved.", "Saved."), Brief(hasDiscount: false)));

        Assert.Equal(GuardrailRules.UnknownVariable, violation.Rule);
        Assert.Contains("{{ " + variable + " }}", violation.Detail);
    }

    [Fact]
    public void The_discount_code_variable_is_allowed_on_a_step_with_a_discount()
        => Assert.Empty(RulesForSubject("Use {{ discount_code }} before it runs out", hasDiscount: true));

    [Theory]
    [InlineData("Your cart, now only ₹499", GuardrailRules.Currency)]
    [InlineData("Save $20 on your cart", GuardrailRules.Currency)]
    [InlineData("Now Rs. 499 only", GuardrailRules.Currency)]
    [InlineData("Just 499 INR for your cart", GuardrailRules.Currency)]
    [InlineData("Take 20% off your cart", GuardrailRules.Percentage)]
    [InlineData("Ten percent? No: 15 percent", GuardrailRules.Percentage)]
    [InlineData("Flat 200 on every order", GuardrailRules.Price)]
    [InlineData("Your 1,299 cart is waiting", GuardrailRules.Price)]
    public void Money_is_refused_on_a_step_without_a_discount_and_allowed_with_one(string subject, string rule)
    {
        Assert.Equal([rule], RulesForSubject(subject, hasDiscount: false));
        Assert.Empty(RulesForSubject(subject, hasDiscount: true));
    }

    [Theory]
    [InlineData("Use SAVE10 at checkout")]
    [InlineData("Your code: COMEBACK10")]
    [InlineData("Apply coupon WELCOME before it ends")]
    public void A_written_out_discount_code_is_refused_even_on_a_step_with_a_discount(string subject)
    {
        Assert.Contains(GuardrailRules.DiscountCode, RulesForSubject(subject, hasDiscount: false));
        Assert.Equal([GuardrailRules.DiscountCode], RulesForSubject(subject, hasDiscount: true));
    }

    [Theory]
    [InlineData("Finish at https://shop.example/cart")]
    [InlineData("Visit www.milletsnacks.in today")]
    [InlineData("Your cart is at milletsnacks.in/cart.")]
    [InlineData("Head to shop.example.com, it's saved")]
    public void A_url_or_domain_is_refused(string opening)
        => Assert.Equal([GuardrailRules.Url], RulesForOpening(opening));

    [Theory]
    [InlineData("<b>Come back</b> today")]
    [InlineData("Come back<br>today")]
    [InlineData("Fish &amp; chips are waiting")]
    public void Html_is_refused(string opening)
        => Assert.Equal([GuardrailRules.Html], RulesForOpening(opening));

    [Fact]
    public void A_banned_phrase_is_refused_whatever_its_case_and_spacing()
    {
        Assert.Equal([GuardrailRules.BannedPhrase], RulesForSubject("Act  NOW, your cart is waiting", false, "act now"));
        Assert.Empty(RulesForSubject("Your cart is waiting", false, "act now"));
    }

    [Fact]
    public void A_banned_phrase_inside_a_liquid_string_is_refused_too()
        => Assert.Equal([GuardrailRules.BannedPhrase], RulesForSubject("{{ customer.first_name | default: \"Act now\" }}, hi", false, "act now"));

    [Fact]
    public void A_subject_is_measured_as_the_shopper_sees_it()
    {
        // 78 characters as written, 57 once {{ customer.first_name }} is the sample "John".
        var personalised = "{{ customer.first_name }}, your millet snacks are still in your cart today";
        var seventy = new string('a', 40) + " " + new string('b', 29);
        var sixty = new string('a', 30) + " " + new string('b', 29);
        var emoji = new string('a', 58) + " 🛒";

        Assert.Empty(RulesForSubject(personalised));
        Assert.Equal(70, seventy.Length);
        Assert.Equal([GuardrailRules.SubjectTooLong], RulesForSubject(seventy));
        Assert.Empty(RulesForSubject(sixty));
        Assert.Empty(RulesForSubject(emoji));
    }

    [Theory]
    [InlineData("{{ customer.first_name", GuardrailRules.LiquidSyntax)]
    [InlineData("{% include 'footer' %}", GuardrailRules.TemplateInclude)]
    [InlineData("   ", GuardrailRules.Empty)]
    public void A_subject_that_is_not_usable_liquid_is_refused(string subject, string rule)
        => Assert.Equal([rule], RulesForSubject(subject));

    [Fact]
    public void Every_broken_rule_of_a_draft_is_reported_with_its_field()
    {
        var violations = Guardrails.Check(
            new CopyDraft("Take 20% off at shop.example.com", "<i>Hi</i> {{ customer.email }}", ""), Brief(hasDiscount: false));

        Assert.Equal(
            [
                ("subject", GuardrailRules.Url), ("subject", GuardrailRules.Percentage),
                ("preview_text", GuardrailRules.UnknownVariable), ("preview_text", GuardrailRules.Html),
                ("opening", GuardrailRules.Empty),
            ],
            violations.Select(v => (v.Field, v.Rule)));
    }

    [Fact]
    public void Only_a_proposed_variant_can_be_approved_or_rejected_and_the_decision_names_who()
    {
        var at = new DateTimeOffset(2026, 5, 7, 10, 0, 0, TimeSpan.Zero);
        var proposed = CopyVariant.Propose(new CopyDraft(" Still thinking? ", "Saved.", "Saved."), at);

        var approved = proposed.Approve("maya@store.example", at.AddMinutes(5));
        var rejected = proposed.Reject("maya@store.example", at.AddMinutes(5));

        Assert.Equal((CopyVariantStates.Proposed, "Still thinking?"), (proposed.State, proposed.Subject));
        Assert.Equal((CopyVariantStates.Approved, "maya@store.example"), (approved.State, approved.DecidedBy));
        Assert.Equal(CopyVariantStates.Rejected, rejected.State);
        Assert.Throws<InvalidOperationException>(() => rejected.Approve("maya@store.example", at));
        Assert.Throws<InvalidOperationException>(() => approved.Reject("maya@store.example", at));
    }
}
