using FlexyPe.Console.Accounts;
using FlexyPe.Console.Clients;
using FlexyPe.Console.Sequences;
using FlexyPe.Console.Settings;
using FlexyPe.Console.Shoppers;

namespace FlexyPe.Recovery.UnitTests.Console;

/// <summary>What the console's forms accept and refuse before anything is sent to a service.</summary>
public sealed class ConsoleFormTests
{
    [Theory]
    [InlineData("1 hour", 0, 1, 0)]
    [InlineData("3 days", 3, 0, 0)]
    [InlineData("1 day 12 hours", 1, 12, 0)]
    [InlineData("1 day, 12 hours", 1, 12, 0)]
    [InlineData("90 minutes", 0, 1, 30)]
    [InlineData("2h30m", 0, 2, 30)]
    [InlineData("1.5 hours", 0, 1, 30)]
    [InlineData("2 weeks", 14, 0, 0)]
    [InlineData("immediately", 0, 0, 0)]
    [InlineData("1.00:00:00", 1, 0, 0)]
    [InlineData("00:30:00", 0, 0, 30)]
    public void A_delay_in_human_units_becomes_the_timespan_Workflows_takes(string text, int days, int hours, int minutes)
    {
        Assert.True(Delays.TryParse(text, out var delay, out var error), error);
        Assert.Equal(new TimeSpan(days, hours, minutes, 0), delay);
    }

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("3 fortnights")]
    [InlineData("1 hour and a bit")]
    [InlineData("400 days")]
    public void A_delay_that_is_not_a_duration_is_refused_with_a_message(string text)
    {
        Assert.False(Delays.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Theory]
    [InlineData(0, 1, 0, "1 hour")]
    [InlineData(3, 0, 0, "3 days")]
    [InlineData(1, 12, 0, "1 day 12 hours")]
    [InlineData(0, 0, 0, "immediately")]
    public void A_delay_is_shown_in_human_units_that_read_back_the_same(int days, int hours, int minutes, string expected)
    {
        var delay = new TimeSpan(days, hours, minutes, 0);
        var shown = Delays.Format(delay);
        Assert.Equal(expected, shown);
        Assert.True(Delays.TryParse(shown, out var back, out _));
        Assert.Equal(delay, back);
    }

    [Fact]
    public void A_draft_with_a_bad_delay_and_no_subject_is_not_sent_and_names_both_fields()
    {
        var draft = SequenceDraft.New();
        draft.Name = "Spring";
        draft.Key = "spring";
        draft.Steps[0].DelayText = "whenever";
        draft.Steps[0].Subject = " ";

        var (input, errors) = draft.ToInput(creating: true, migrateEnrollments: false);

        Assert.Null(input);
        Assert.Contains("steps[0].delay", errors.Keys);
        Assert.Contains("steps[0].subject", errors.Keys);
    }

    [Fact]
    public void A_good_draft_becomes_the_input_Workflows_takes()
    {
        var draft = SequenceDraft.New();
        draft.Name = "Spring";
        draft.Key = "spring";
        draft.Steps[0].DelayText = "3 days";
        draft.Steps[0].DiscountCode = "SPRING10";

        var (input, errors) = draft.ToInput(creating: true, migrateEnrollments: false);

        Assert.Empty(errors);
        Assert.Equal("spring", input!.Key);
        Assert.Equal(TimeSpan.FromDays(3), Assert.Single(input.Steps!).Delay);
        Assert.Equal("SPRING10", input.Steps![0].DiscountCode);
    }

    [Theory]
    [InlineData("Spring Sale")]
    [InlineData("-spring")]
    [InlineData("")]
    public void A_new_sequence_key_must_be_lower_case_letters_digits_and_dashes(string key)
    {
        var draft = SequenceDraft.New();
        draft.Name = "Spring";
        draft.Key = key;
        Assert.Contains("key", draft.ToInput(creating: true, migrateEnrollments: false).Errors.Keys);
    }

    [Theory]
    [InlineData("+91 98765 43210", "+919876543210")]
    [InlineData("+1 (415) 555-0100", "+14155550100")]
    [InlineData("98765 43210", null)]
    [InlineData("abc", null)]
    public void A_phone_is_searched_in_E164(string typed, string? expected)
        => Assert.Equal(expected, ShopperQuery.Phone(typed));

    [Fact]
    public void Settings_with_a_bad_address_colour_zone_and_duration_are_not_sent()
    {
        var form = new SettingsForm
        {
            SenderAddress = "not-an-address",
            Colour = "blue",
            TimeZone = "Mars/Olympus",
            FrequencyCap = "often",
            QuietStart = "9pm",
        };

        var (values, errors) = form.ToValues();

        Assert.Null(values);
        Assert.Equal(["brand.colour", "frequency_cap", "quiet_hours.start", "sender_address", "time_zone"], errors.Keys.Order());
    }

    [Fact]
    public void Empty_settings_fields_mean_use_the_default()
    {
        var (values, errors) = new SettingsForm { SenderName = "Acme", FrequencyCap = "6 hours" }.ToValues();

        Assert.Empty(errors);
        Assert.Equal("Acme", values!.SenderName);
        Assert.Null(values.SenderAddress);
        Assert.Null(values.QuietHours);
        Assert.Equal(TimeSpan.FromHours(6), values.FrequencyCap);
    }

    [Theory]
    [InlineData("/sequences/abandoned-checkout", "/sequences/abandoned-checkout")]
    [InlineData("//evil.example/", "/")]
    [InlineData("https://evil.example/", "/")]
    [InlineData("/\\evil.example", "/")]
    [InlineData(null, "/")]
    public void Sign_in_returns_only_to_a_page_of_this_site(string? returnUrl, string expected)
        => Assert.Equal(expected, LocalPath.OrHome(returnUrl));

    [Fact]
    public void A_template_problem_reads_as_line_and_column()
        => Assert.Equal("Line 2, column 5: Invalid 'if' tag",
            TemplateErrorText.Of(new TemplateProblem(1, "template", "Invalid 'if' tag at (2:5)", 2, 5)));
}
