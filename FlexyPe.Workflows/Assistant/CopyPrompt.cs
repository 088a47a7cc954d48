using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace FlexyPe.Workflows.Assistant;

/// <summary>
/// The messages sent to the model for a <see cref="CopyBrief"/>. Only the brief's own fields go in (never a sample
/// value, never a shopper), so what the model sees is fixed by <see cref="Version"/> and the brief.
/// </summary>
public static class CopyPrompt
{
    /// <summary>Recorded with every call; change it whenever the wording below changes.</summary>
    public const string Version = "copy-assistant/1";

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = false };

    public static List<ChatMessage> Build(CopyBrief brief, int count)
    {
        var system = new StringBuilder()
            .AppendLine("You write email copy for an online store's cart and browse recovery messages.")
            .AppendLine($"Write {count} distinct variants, each a subject, a preview text (the inbox snippet) and an opening sentence of the body.")
            .AppendLine($"Write in this language: {brief.Voice.Language}.")
            .AppendLine("Rules, every one checked by code afterwards (a variant that breaks one is thrown away):")
            .AppendLine($"- The subject is at most {CopyGuardrails.SubjectMaxLength} characters once variables are filled in; keep it near 45.")
            .AppendLine("- Personalise only with the Liquid variables listed, written as {{ variable }}; use no other variable and no Liquid tags besides if/unless.")
            .AppendLine("- Plain text only: no HTML, no URLs or domain names (the email's template adds the links).")
            .AppendLine(brief.HasDiscount
                ? "- This step carries a discount: refer to it, and write the code only as {{ discount_code }}, never a code of your own."
                : "- This step has no discount: no prices, amounts, percentages, currency symbols or codes, and no discount codes.")
            .AppendLine("- Do not invent facts (stock levels, reviews, deadlines) the brief does not state.");
        if (brief.BannedPhrases.Count > 0)
        {
            system.AppendLine("- Never use these phrases: " + string.Join("; ", brief.BannedPhrases.Select(p => $"\"{p}\"")) + ".");
        }
        if (!string.IsNullOrWhiteSpace(brief.Voice.Notes))
        {
            system.AppendLine().AppendLine("The store's brand voice:").AppendLine(brief.Voice.Notes.Trim());
        }

        var step = new
        {
            intent = brief.Intent,
            sequence_trigger = brief.Trigger,
            step_number = brief.StepNumber,
            steps_in_sequence = brief.StepCount,
            has_discount = brief.HasDiscount,
            allowed_variables = brief.AllowedVariables.Select(v => new { variable = v.Path, meaning = v.Description }),
        };
        return
        [
            new ChatMessage(ChatRole.System, system.ToString()),
            new ChatMessage(ChatRole.User, "The step to write for:\n" + JsonSerializer.Serialize(step, Json)),
        ];
    }
}
