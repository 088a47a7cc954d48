using System.Net;
using FlexyPe.Notifier.DeliveryEvents;
using FlexyPe.Notifier.Infrastructure;
using FlexyPe.Notifier.Model;
using FlexyPe.Notifier.Unsubscribe;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Notifier.Apis;

/// <summary>
/// The public unsubscribe endpoints. GET shows a page with a button (link scanners follow GETs, so a GET changes
/// nothing); POST unsubscribes: the button, and mail clients' RFC 8058 one-click (<c>List-Unsubscribe=One-Click</c>).
/// </summary>
public static class UnsubscribeApi
{
    public static IEndpointRouteBuilder MapUnsubscribeApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/unsubscribe").WithTags("Unsubscribe").DisableAntiforgery();
        api.MapGet("/{token}", ConfirmPage);
        api.MapPost("/{token}", UnsubscribeAsync);
        return app;
    }

    public static Results<ContentHttpResult, ProblemHttpResult> ConfirmPage(string token, UnsubscribeTokens tokens)
    {
        if (!tokens.TryRead(token, out var subject))
        {
            return InvalidLink();
        }
        return TypedResults.Content(Page("Unsubscribe", $"""
            <p>Stop recovery emails from this store to {WebUtility.HtmlEncode(subject.Email)}?</p>
            <form method="post" action="/unsubscribe/{WebUtility.HtmlEncode(token)}">
              <input type="hidden" name="List-Unsubscribe" value="One-Click">
              <button type="submit">Unsubscribe</button>
            </form>
            """), "text/html; charset=utf-8");
    }

    /// <summary>Puts the address on the store's suppression list (once) and tells Workflows.</summary>
    public static async Task<Results<ContentHttpResult, ProblemHttpResult>> UnsubscribeAsync(
        string token, UnsubscribeTokens tokens, NotifierDbContext db, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (!tokens.TryRead(token, out var subject))
        {
            return InvalidLink();
        }

        var already = await db.Suppressions.AnyAsync(s => s.StoreId == subject.StoreId && s.Email == subject.Email, cancellationToken);
        if (!already)
        {
            var now = time.GetUtcNow();
            db.Suppressions.Add(new Suppression
            {
                StoreId = subject.StoreId,
                Email = subject.Email,
                Reason = SuppressionReason.Unsubscribed,
                CreatedAt = now,
            });
            db.AddDeliveryEvent(DeliveryEventType.Unsubscribed, subject.StoreId, subject.Email, idempotencyKey: null, smtpReply: null, now);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                loggers.CreateLogger(typeof(UnsubscribeApi)).LogInformation("An address of store {StoreId} unsubscribed", subject.StoreId);
            }
            catch (DbUpdateException)
            {
                // Two clicks at once: the other one recorded it.
            }
        }

        return TypedResults.Content(Page("Unsubscribed", "<p>You are unsubscribed and will get no more of these emails.</p>"), "text/html; charset=utf-8");
    }

    // A changed, cut or made-up token does not decrypt: it names no one, so nothing is said about anyone.
    private static ProblemHttpResult InvalidLink() => TypedResults.Problem(
        title: "Invalid link", detail: "This unsubscribe link is not valid.", statusCode: StatusCodes.Status400BadRequest);

    private static string Page(string title, string body) => $"""
        <!doctype html>
        <html><head><meta charset="utf-8"><title>{title}</title></head>
        <body style="font-family:sans-serif;max-width:32rem;margin:4rem auto;">
        <h1>{title}</h1>
        {body}
        </body></html>
        """;
}
