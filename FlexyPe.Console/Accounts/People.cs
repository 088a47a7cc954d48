using FlexyPe.Console.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Console.Accounts;

public sealed record Person(string Id, string Email, string? DisplayName, string Role, DateTimeOffset CreatedAt, string? InvitedBy, bool LockedOut);

/// <summary>Who has an account and with which role; admins change roles and remove people (never the last admin).</summary>
public sealed class People(ConsoleDbContext db, UserManager<ConsoleUser> users, SignedInUser signedIn, TimeProvider time, ILogger<People> logger)
{
    public async Task<List<Person>> AllAsync(CancellationToken ct = default)
    {
        var roles = await db.UserRoles.ToDictionaryAsync(r => r.UserId, r => r.RoleId, ct);
        var now = time.GetUtcNow();
        return (await db.Users.AsNoTracking().OrderBy(u => u.Email).ToListAsync(ct))
            .Select(u => new Person(u.Id, u.Email ?? u.UserName ?? "", u.DisplayName, roles.GetValueOrDefault(u.Id) ?? ConsoleRoles.Viewer,
                u.CreatedAt, u.InvitedBy, u.LockoutEnd is { } end && end > now))
            .ToList();
    }

    public async Task<string?> ChangeRoleAsync(string userId, string role)
    {
        var actor = await signedIn.RequireAsync(ConsoleRoles.Admin);
        if (actor.Problem is { } refused)
        {
            return refused.Title;
        }
        if (!ConsoleRoles.All.Contains(role) || await users.FindByIdAsync(userId) is not { } user)
        {
            return "No such person or role.";
        }
        var current = await users.GetRolesAsync(user);
        if (current.Contains(ConsoleRoles.Admin) && role != ConsoleRoles.Admin && await AdminCountAsync() <= 1)
        {
            return "The console needs at least one admin; make someone else admin first.";
        }
        await users.RemoveFromRolesAsync(user, current);
        await users.AddToRoleAsync(user, role);
        // A new stamp makes their open pages re-read the role within a minute.
        await users.UpdateSecurityStampAsync(user);
        logger.LogInformation("Role changed to {Role}", role);
        return null;
    }

    public async Task<string?> RemoveAsync(string userId)
    {
        var actor = await signedIn.RequireAsync(ConsoleRoles.Admin);
        if (actor.Problem is { } refused)
        {
            return refused.Title;
        }
        if (await users.FindByIdAsync(userId) is not { } user)
        {
            return "No such person.";
        }
        if (string.Equals(user.UserName, actor.Name, StringComparison.OrdinalIgnoreCase))
        {
            return "You cannot remove yourself.";
        }
        if ((await users.GetRolesAsync(user)).Contains(ConsoleRoles.Admin) && await AdminCountAsync() <= 1)
        {
            return "The console needs at least one admin.";
        }
        await users.DeleteAsync(user);
        return null;
    }

    public async Task<string?> UnlockAsync(string userId)
    {
        var actor = await signedIn.RequireAsync(ConsoleRoles.Admin);
        if (actor.Problem is { } refused)
        {
            return refused.Title;
        }
        if (await users.FindByIdAsync(userId) is not { } user)
        {
            return "No such person.";
        }
        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        return null;
    }

    private async Task<int> AdminCountAsync() => (await users.GetUsersInRoleAsync(ConsoleRoles.Admin)).Count;
}
