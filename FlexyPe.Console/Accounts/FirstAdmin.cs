using FlexyPe.Console.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FlexyPe.Console.Accounts;

public sealed record FirstAdminResult(ConsoleUser? User, string? Error, string? Field = null);

/// <summary>
/// The first account, made once: only while nobody has an account, and only by someone who knows the admin-api-key (the
/// AppHost's parameter, which the console compares in constant time and never shows).
/// </summary>
public sealed class FirstAdmin(ConsoleDbContext db, UserManager<ConsoleUser> users, IOptions<AdminOptions> admin, TimeProvider time, ILogger<FirstAdmin> logger)
{
    // Two people submitting the first-run form at once must not both become the first admin.
    private const long SetupLockKey = 0x466C_6578_7943_5331; // any constant

    public async Task<bool> IsNeededAsync(CancellationToken ct = default) => !await db.Users.AnyAsync(ct);

    public async Task<FirstAdminResult> CreateAsync(string adminKey, string displayName, string email, string password, CancellationToken ct = default)
    {
        var configured = admin.Value.ApiKey;
        if (string.IsNullOrEmpty(configured) || string.IsNullOrEmpty(adminKey) || !AdminApiKey.Matches(adminKey.Trim(), configured))
        {
            logger.LogWarning("First-run setup refused: the admin key did not match");
            return new FirstAdminResult(null, "That is not the admin key. It is the admin-api-key parameter of the AppHost (dotnet user-secrets list --project FlexyPe.AppHost).", "AdminKey");
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({SetupLockKey})", ct);
        if (await db.Users.AnyAsync(ct))
        {
            return new FirstAdminResult(null, "The console already has an admin; sign in instead.");
        }
        var user = new ConsoleUser
        {
            UserName = email.Trim(),
            Email = email.Trim(),
            EmailConfirmed = true,
            DisplayName = string.IsNullOrWhiteSpace(displayName) ? null : displayName.Trim(),
            CreatedAt = time.GetUtcNow(),
        };
        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded)
        {
            return new FirstAdminResult(null, string.Join(" ", created.Errors.Select(e => e.Description)), "Password");
        }
        await users.AddToRoleAsync(user, ConsoleRoles.Admin);
        await transaction.CommitAsync(ct);
        logger.LogInformation("First admin created");
        return new FirstAdminResult(user, null);
    }
}
