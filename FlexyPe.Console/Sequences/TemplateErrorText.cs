using FlexyPe.Console.Clients;

namespace FlexyPe.Console.Sequences;

public static class TemplateErrorText
{
    /// <summary>"Line 3, column 12: …" for a template problem, without the position Fluid repeats at the end.</summary>
    public static string Of(TemplateProblem problem)
    {
        var message = problem.Message;
        var at = message.LastIndexOf(" at (", StringComparison.Ordinal);
        if (at > 0)
        {
            message = message[..at];
        }
        return problem.Line is { } line ? $"Line {line}, column {problem.Column}: {message}" : message;
    }

    /// <summary>The API's name of a step's field: <c>steps[0].template</c>.</summary>
    public static string Field(TemplateProblem problem) => $"steps[{problem.Step - 1}].{problem.Field}";
}
