using System.Net;
using System.Security.Claims;
using FlexyPe.Console.Clients;
using Microsoft.AspNetCore.Components.Authorization;

namespace FlexyPe.Console.Accounts;

/// <summary>Who is making a change, or why they may not.</summary>
public sealed record Actor(string Name, ApiProblem? Problem);

/// <summary>
/// The person signed in to this circuit (or request). Every change the console sends to a service goes through
/// <see cref="RequireAsync"/>, so a viewer is refused on the server whatever the browser sends.
/// </summary>
public sealed class SignedInUser(AuthenticationStateProvider authentication)
{
    public async Task<ClaimsPrincipal> PrincipalAsync() => (await authentication.GetAuthenticationStateAsync()).User;

    public async Task<bool> IsInAnyRoleAsync(string roles)
    {
        var principal = await PrincipalAsync();
        return roles.Split(',').Any(principal.IsInRole);
    }

    public async Task<Actor> RequireAsync(string allowedRoles)
    {
        var principal = await PrincipalAsync();
        var name = principal.Identity?.IsAuthenticated == true ? principal.Identity.Name : null;
        if (name is null)
        {
            return new Actor("", new ApiProblem(HttpStatusCode.Unauthorized, "Your session has ended; sign in again.", new Dictionary<string, string[]>(), []));
        }
        if (!allowedRoles.Split(',').Any(principal.IsInRole))
        {
            var what = allowedRoles == ConsoleRoles.Admin ? "Only an admin can change this." : "Viewers can look at everything but change nothing.";
            return new Actor(name, new ApiProblem(HttpStatusCode.Forbidden, what, new Dictionary<string, string[]>(), []));
        }
        return new Actor(name, null);
    }
}
