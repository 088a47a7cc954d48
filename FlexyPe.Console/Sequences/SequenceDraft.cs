using System.Text.RegularExpressions;
using FlexyPe.Console.Clients;

namespace FlexyPe.Console.Sequences;

/// <summary>
/// A sequence as it is being edited: delays as the marketer writes them, every field a string, so any input can be held,
/// shown with its error, and kept in the browser as a draft until it is saved.
/// </summary>
public sealed partial class SequenceDraft
{
    public string Key { get; set; } = "";
    public string Name { get; set; } = "";
    public string Trigger { get; set; } = Triggers.AbandonedCheckout;
    public bool Enabled { get; set; } = true;
    public List<string> ExitRules { get; set; } = [Clients.ExitRules.Purchase];
    public List<StepDraft> Steps { get; set; } = [];
    /// <summary>The saved version this draft started from (null for a new sequence).</summary>
    public int? BaseVersion { get; set; }
    public DateTimeOffset? ChangedAt { get; set; }

    public static SequenceDraft New() => new()
    {
        Steps =
        [
            new StepDraft
            {
                DelayText = "1 hour",
                Subject = "{{ customer.first_name | default: \"Hi\" }}, you left something in your cart",
                PreviewText = "Your cart is saved for you.",
                Template = """
                    <p>Hi {{ customer.first_name | default: "there" }},</p>
                    <p>You left these in your cart:</p>
                    <ul>{% for line in cart %}<li>{{ line.title }} × {{ line.quantity }}</li>{% endfor %}</ul>
                    <p><a href="{{ checkout_url }}">Complete your order</a></p>
                    """,
            },
        ],
    };

    public static SequenceDraft From(SequenceView sequence) => new()
    {
        Key = sequence.Key,
        Name = sequence.Name,
        Trigger = sequence.Trigger,
        Enabled = sequence.Enabled,
        ExitRules = [.. sequence.ExitRules],
        BaseVersion = sequence.Version,
        Steps = [.. sequence.Steps.OrderBy(s => s.Number).Select(s => new StepDraft
        {
            DelayText = Delays.Format(s.Delay),
            DelayFrom = s.DelayFrom,
            Subject = s.Subject,
            PreviewText = s.PreviewText ?? "",
            Template = s.Template,
            DiscountCode = s.DiscountCode ?? "",
            DiscountPercent = s.DiscountPercent,
            DiscountAmount = s.DiscountAmount,
            Enabled = s.Enabled,
        })],
    };

    /// <summary>True when the draft says the same as <paramref name="sequence"/> (nothing to save or restore).</summary>
    public bool SameAs(SequenceView sequence)
    {
        var saved = From(sequence);
        return Name == saved.Name && Trigger == saved.Trigger && Enabled == saved.Enabled
            && ExitRules.Order().SequenceEqual(saved.ExitRules.Order())
            && Steps.Count == saved.Steps.Count
            && Steps.Zip(saved.Steps).All(p => p.First.SameAs(p.Second));
    }

    /// <summary>
    /// What would be sent to Workflows, or every field's problem under the API's own names (<c>steps[0].delay</c>), so a
    /// bad draft is shown on the form and nothing is sent. Templates are parsed by Workflows (the live preview, and the
    /// save, which refuses one that does not parse).
    /// </summary>
    public (SequenceInput? Input, Dictionary<string, string> Errors) ToInput(bool creating, bool migrateEnrollments)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        if (creating && !KeyPattern().IsMatch(Key.Trim()))
        {
            errors["key"] = "Use lower-case letters, digits and dashes, like \"spring-sale\".";
        }
        if (string.IsNullOrWhiteSpace(Name))
        {
            errors["name"] = "Give the sequence a name.";
        }
        if (!Triggers.All.Contains(Trigger))
        {
            errors["trigger"] = "Choose what starts the sequence.";
        }
        if (Steps.Count == 0)
        {
            errors["steps"] = "Add at least one step.";
        }
        var steps = new List<StepInput>();
        for (var i = 0; i < Steps.Count; i++)
        {
            var step = Steps[i];
            if (!Delays.TryParse(step.DelayText, out var delay, out var delayError))
            {
                errors[$"steps[{i}].delay"] = delayError!;
            }
            Required(step.Subject, $"steps[{i}].subject", "subject");
            Required(step.Template, $"steps[{i}].template", "template");
            if (!string.IsNullOrWhiteSpace(step.DiscountCode) && !DiscountPattern().IsMatch(step.DiscountCode.Trim()))
            {
                errors[$"steps[{i}].discount_code"] = "A discount code is letters, digits, dashes and underscores, up to 64.";
            }
            // The discount's worth (what the uplift model weighs its cost by) stays with its code; without a code there is none.
            var code = Blank(step.DiscountCode?.Trim());
            steps.Add(new StepInput(delay, step.DelayFrom, step.Subject, Blank(step.PreviewText), step.Template, code, step.Enabled,
                code is null ? null : step.DiscountPercent, code is null ? null : step.DiscountAmount));
        }
        if (errors.Count > 0)
        {
            return (null, errors);
        }
        return (new SequenceInput(creating ? Key.Trim() : null, Name.Trim(), Trigger, Enabled, [.. ExitRules], steps, migrateEnrollments), errors);

        void Required(string? value, string field, string what)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                errors[field] = $"The {what} is required.";
            }
        }
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$")]
    private static partial Regex KeyPattern();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex DiscountPattern();
}

public sealed class StepDraft
{
    public string DelayText { get; set; } = "1 day";
    public string DelayFrom { get; set; } = "trigger";
    public string Subject { get; set; } = "";
    public string PreviewText { get; set; } = "";
    public string Template { get; set; } = "";
    public string DiscountCode { get; set; } = "";
    /// <summary>The discount's worth as Workflows has it; not edited here, carried so a new version keeps it.</summary>
    public decimal? DiscountPercent { get; set; }
    public decimal? DiscountAmount { get; set; }
    public bool Enabled { get; set; } = true;

    public StepDraft Copy() => (StepDraft)MemberwiseClone();

    public bool SameAs(StepDraft other)
        => Delays.TryParse(DelayText, out var a, out _) == Delays.TryParse(other.DelayText, out var b, out _) && a == b
            && DelayFrom == other.DelayFrom && Subject == other.Subject && (PreviewText ?? "") == (other.PreviewText ?? "")
            && Template == other.Template && (DiscountCode ?? "") == (other.DiscountCode ?? "") && Enabled == other.Enabled;
}
