using System.Data.Common;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// When the database refuses a request's own content (a NUL character in text, a key too long for its index, a value
/// out of range: SQLSTATE classes 22, 23 and 54), the caller sent something that cannot be stored; it is told so with
/// 400 problem+json (409 for a unique key already taken) instead of a 500. A safety net behind each endpoint's own
/// validation. The answer and the log line name the SQLSTATE, never the values.
/// </summary>
public sealed class StorageRefusals(IProblemDetailsService problems, ILogger<StorageRefusals> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (SqlStateOf(exception) is not { } state || !(state.StartsWith("22", StringComparison.Ordinal)
            || state.StartsWith("23", StringComparison.Ordinal) || state.StartsWith("54", StringComparison.Ordinal)))
        {
            return false;
        }
        var conflict = state == "23505";
        logger.LogWarning("{Method} {Path}: the database refused the request's content (SQLSTATE {SqlState})",
            httpContext.Request.Method, httpContext.Request.Path, state);
        httpContext.Response.StatusCode = conflict ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = httpContext.Response.StatusCode,
                Title = conflict ? "Already exists" : "Cannot be stored",
                Detail = conflict
                    ? "Something with the same key already exists."
                    : $"A value in the request cannot be stored (SQLSTATE {state}): a text with a NUL character, a value too long or out of range.",
            },
        });
    }

    /// <summary>
    /// The SQLSTATE when the database refused a value itself (classes 22 and 54: it would refuse it again, however
    /// often it is sent); null for anything else, a unique key already taken included (a retry may find it a repeat).
    /// </summary>
    public static string? ContentRefusal(Exception exception)
        => SqlStateOf(exception) is { } state && (state.StartsWith("22", StringComparison.Ordinal) || state.StartsWith("54", StringComparison.Ordinal))
            ? state : null;

    private static string? SqlStateOf(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is DbException { SqlState: { } state })
            {
                return state;
            }
        }
        return null;
    }
}
