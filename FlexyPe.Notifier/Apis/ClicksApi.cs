using FlexyPe.Notifier.Clicks;
using FlexyPe.Notifier.DeliveryEvents;
using FlexyPe.Notifier.Infrastructure;
using FlexyPe.Notifier.Telemetry;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Notifier.Apis;

/// <summary>
/// The public click redirect: <c>GET /c/{token}</c> records a <c>clicked</c> delivery event (which link, when) and
/// redirects to the link's URL as the message had it. Only URLs recorded on the message are ever redirected to.
/// </summary>
public static class ClicksApi
{
    public static IEndpointRouteBuilder MapClicksApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/c/{token}", FollowAsync).WithTags("Clicks")
            .WithSummary("Follows a tracked link of a sent email: records the click and redirects (302) to the link's URL.");
        return app;
    }

    public static async Task<Results<RedirectHttpResult, ProblemHttpResult>> FollowAsync(
        string token, ClickTokens tokens, NotifierDbContext db, NotifierTelemetry telemetry, TimeProvider time,
        ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (!tokens.TryRead(token, out var target))
        {
            telemetry.CountClick("invalid_token");
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "This link is not valid.",
                detail: "The link is damaged or was not made by this service; check that it was copied whole.");
        }

        // FOR SHARE waits for a send in flight: the sender holds the row from before the SMTP handoff until its
        // transaction commits the tracked links, so a link followed the moment the email lands still finds them.
        var message = await db.MessageRequests.FromSql($"SELECT * FROM message_requests WHERE id = {target.MessageId} FOR SHARE")
            .AsNoTracking()
            .Select(r => new { r.StoreId, r.To, r.IdempotencyKey, r.TrackedLinks })
            .SingleOrDefaultAsync(cancellationToken);
        if (message is null || target.LinkIndex < 0 || target.LinkIndex >= message.TrackedLinks.Count)
        {
            telemetry.CountClick("unknown_link");
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "This link is no longer available.",
                detail: "The email this link came from has no such link.");
        }

        var url = message.TrackedLinks[target.LinkIndex];
        db.AddDeliveryEvent(DeliveryEventType.Clicked, message.StoreId, message.To, message.IdempotencyKey, smtpReply: null,
            time.GetUtcNow(), linkIndex: target.LinkIndex, url: url);
        await db.SaveChangesAsync(cancellationToken);
        telemetry.CountClick("redirected");
        loggers.CreateLogger(typeof(ClicksApi)).LogInformation(
            "Link {LinkIndex} of message request {MessageRequestId} clicked", target.LinkIndex, target.MessageId);
        return TypedResults.Redirect(url);
    }
}
