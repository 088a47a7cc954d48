using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace FlexyPe.Console.Clients;

/// <summary>A template that does not parse, as Workflows reports it: which step and field, and where.</summary>
public sealed record TemplateProblem(int Step, string Field, string Message, int? Line, int? Column);

/// <summary>
/// What a service answered that was not a success, as the console shows it on the form: a title, the message of each
/// bad field, and a template's line and column.
/// </summary>
public sealed record ApiProblem(HttpStatusCode Status, string Title, IReadOnlyDictionary<string, string[]> Errors, IReadOnlyList<TemplateProblem> TemplateProblems)
{
    public static ApiProblem Unreachable(string service) => new(
        HttpStatusCode.ServiceUnavailable, $"{service} is not answering; try again in a moment.", new Dictionary<string, string[]>(), []);

    public string? ErrorFor(string field) => Errors.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;

    /// <summary>The title and every field's message on one line, for a message bar.</summary>
    public override string ToString()
        => Errors.Count == 0 ? Title : Title + " " + string.Join(" ", Errors.SelectMany(e => e.Value));
}

/// <summary>A service's answer: the value, or the problem to show. Nothing throws for a 4xx.</summary>
public sealed record ApiResult<T>(T? Value, ApiProblem? Problem)
{
    public bool Succeeded => Problem is null;
    public static implicit operator ApiResult<T>(ApiProblem problem) => new(default, problem);
}

/// <summary>JSON as the services speak it (snake_case), and reading their problem+json answers.</summary>
public static class ServiceJson
{
    public static JsonSerializerOptions Options => HandOffJson.Options;

    public static async Task<ApiResult<T>> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            if (response.StatusCode == HttpStatusCode.NoContent || response.Content.Headers.ContentLength == 0)
            {
                return new ApiResult<T>(default, null);
            }
            return new ApiResult<T>(await response.Content.ReadFromJsonAsync<T>(Options, ct), null);
        }
        return await ProblemAsync(response, ct);
    }

    public static async Task<ApiProblem> ProblemAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        var title = response.StatusCode switch
        {
            HttpStatusCode.NotFound => "Not found.",
            HttpStatusCode.Conflict => "That conflicts with what is there.",
            HttpStatusCode.Unauthorized => "The console's key was refused by the service.",
            _ => $"The service answered {(int)response.StatusCode}.",
        };
        var errors = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        var templates = new List<TemplateProblem>();
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.String)
            {
                title = root.GetString() ?? title;
            }
            else if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String)
                {
                    title = detail.GetString()!;
                }
                else if (root.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String)
                {
                    title = t.GetString()!;
                }
                if (root.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Object)
                {
                    foreach (var field in e.EnumerateObject())
                    {
                        errors[field.Name] = field.Value.ValueKind == JsonValueKind.Array
                            ? [.. field.Value.EnumerateArray().Select(m => m.ToString())]
                            : [field.Value.ToString()];
                    }
                }
                if (root.TryGetProperty("template_errors", out var tp) && tp.ValueKind == JsonValueKind.Array)
                {
                    templates.AddRange(tp.Deserialize<List<TemplateProblem>>(Options) ?? []);
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's page, say): the status line is all there is to show.
        }
        return new ApiProblem(response.StatusCode, title, errors, templates);
    }
}
