using System.Text;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;
using FlexyPe.Console.Clients;

namespace FlexyPe.Console.Sequences;

/// <summary>Two versions of a sequence written out as text and compared line by line (DiffPlex).</summary>
public static class VersionDiff
{
    public static List<(string Kind, string Text)> Lines(SequenceView from, SequenceView to)
        => [.. InlineDiffBuilder.Diff(Describe(from), Describe(to), ignoreWhiteSpace: false).Lines
            .Where(line => line.Type != ChangeType.Imaginary)
            .Select(line => (line.Type switch { ChangeType.Inserted => "ins", ChangeType.Deleted => "del", _ => "same" }, line.Text))
];

    /// <summary>A version as a marketer reads it: one fact per line, templates line by line.</summary>
    public static string Describe(SequenceView sequence)
    {
        var text = new StringBuilder();
        text.AppendLine($"Name: {sequence.Name}");
        text.AppendLine($"Starts on: {Triggers.Describe(sequence.Trigger)}");
        text.AppendLine($"Enabled: {(sequence.Enabled ? "yes" : "no")}");
        text.AppendLine($"Stops early when: {(sequence.ExitRules.Count == 0 ? "never" : string.Join(", ", sequence.ExitRules))}");
        foreach (var step in sequence.Steps.OrderBy(s => s.Number))
        {
            text.AppendLine();
            text.AppendLine($"Step {step.Number}: after {Delays.Format(step.Delay)} from the {(step.DelayFrom == "previous_step" ? "previous step" : "trigger")}{(step.Enabled ? "" : " (off)")}");
            text.AppendLine($"  Subject: {step.Subject}");
            text.AppendLine($"  Preview text: {step.PreviewText ?? ""}");
            text.AppendLine($"  Discount code: {step.DiscountCode ?? "none"}");
            foreach (var line in step.Template.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
            {
                text.AppendLine($"  | {line}");
            }
        }
        return text.ToString();
    }
}
