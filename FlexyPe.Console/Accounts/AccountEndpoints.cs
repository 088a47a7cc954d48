using Microsoft.AspNetCore.Identity;

namespace FlexyPe.Console.Accounts;

/// <summary>Sign-out is a POST from a form with an antiforgery token, so no link or image elsewhere can sign anyone out.</summary>
public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/account/sign-out", async (SignInManager<ConsoleUser> signIn) =>
        {
            await signIn.SignOutAsync();
            return TypedResults.LocalRedirect("/account/sign-in");
        });
        return app;
    }
}
