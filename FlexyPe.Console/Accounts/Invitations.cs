using System.Security.Cryptography;
using System.Text;
using FlexyPe.Console.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Console.Accounts;

public sealed record InvitationSent(Invitation Invitation, string Token);
public sealed record AcceptResult(ConsoleUser? User, string? Error);

/// <summary>Admins invite people by link; the link's holder picks a password and joins with the invitation's role.</summary>
public sealed class Invitations(ConsoleDbContext db, UserManager<ConsoleUser> users, SignedInUser signedIn, TimeProvider time)
{
    public async Task<(InvitationSent? Sent, string? Error)> InviteAsync(string email, string role, CancellationToken ct = default)
    {
        var actor = await signedIn.RequireAsync(ConsoleRoles.Admin);
        if (actor.Problem is { } refused)
        {
            return (null, refused.Title);
        }
        email = email.Trim();
        if (!System.Net.Mail.MailAddress.TryCreate(email, out var parsed) || parsed.Address != email)
        {
            return (null, "That is not an email address.");
        }
        if (!ConsoleRoles.All.Contains(role))
        {
            return (null, "Choose a role.");
        }
        if (await users.FindByEmailAsync(email) is not null)
        {
            return (null, "Someone with that email already has an account.");
        }
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).Replace('+', '-').Replace('/', '_').TrimEnd('=');
        var now = time.GetUtcNow();
        var invitation = new Invitation
        {
            Id = Guid.CreateVersion7(),
            Email = email,
            Role = role,
            TokenHash = Hash(token),
            InvitedBy = actor.Name,
            CreatedAt = now,
            ExpiresAt = now + AccountRules.InvitationLifetime,
        };
        db.Invitations.Add(invitation);
        await db.SaveChangesAsync(ct);
        return (new InvitationSent(invitation, token), null);
    }

    public Task<List<Invitation>> OpenAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        return db.Invitations.AsNoTracking().Where(i => i.AcceptedAt == null && i.ExpiresAt > now).OrderByDescending(i => i.CreatedAt).ToListAsync(ct);
    }

    public async Task<string?> RevokeAsync(Guid id, CancellationToken ct = default)
    {
        var actor = await signedIn.RequireAsync(ConsoleRoles.Admin);
        if (actor.Problem is { } refused)
        {
            return refused.Title;
        }
        await db.Invitations.Where(i => i.Id == id && i.AcceptedAt == null).ExecuteDeleteAsync(ct);
        return null;
    }

    /// <summary>The open invitation a link's token names, or null when it is unknown, used or expired.</summary>
    public async Task<Invitation?> FindAsync(string? token, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }
        var hash = Hash(token);
        var now = time.GetUtcNow();
        return await db.Invitations.FirstOrDefaultAsync(i => i.TokenHash == hash && i.AcceptedAt == null && i.ExpiresAt > now, ct);
    }

    public async Task<AcceptResult> AcceptAsync(string token, string displayName, string password, CancellationToken ct = default)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var invitation = await FindAsync(token, ct);
        if (invitation is null)
        {
            return new AcceptResult(null, "This invitation has been used, has expired or was withdrawn. Ask an admin for a new one.");
        }
        var user = new ConsoleUser
        {
            UserName = invitation.Email,
            Email = invitation.Email,
            EmailConfirmed = true,
            DisplayName = string.IsNullOrWhiteSpace(displayName) ? null : displayName.Trim(),
            CreatedAt = time.GetUtcNow(),
            InvitedBy = invitation.InvitedBy,
        };
        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded)
        {
            return new AcceptResult(null, string.Join(" ", created.Errors.Select(e => e.Description)));
        }
        await users.AddToRoleAsync(user, invitation.Role);
        invitation.AcceptedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new AcceptResult(user, null);
    }

    private static string Hash(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
