using System.Security.Cryptography;
using System.Text.Json;
using FlexyPe.Notifier.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Notifier.Unsubscribe;

/// <summary>Who an unsubscribe link is for.</summary>
public sealed record UnsubscribeSubject(string StoreId, string Email);

/// <summary>
/// Signed (and encrypted) unsubscribe tokens: Data Protection with keys kept in notifierdb, so a link made by one
/// replica opens on another and keeps working after the keys rotate. Tampering makes a token unreadable.
/// </summary>
public sealed class UnsubscribeTokens(IDataProtectionProvider provider)
{
    private readonly IDataProtector protector = provider.CreateProtector("FlexyPe.Notifier.Unsubscribe.v1");

    public string Create(string storeId, string email)
        => protector.Protect(JsonSerializer.Serialize(new UnsubscribeSubject(storeId, email.ToLowerInvariant()), NotifierJson.Options));

    /// <summary>
    /// Makes sure a signing key exists before the service takes traffic, under a Postgres advisory lock: replicas
    /// starting together on an empty database would otherwise each create a key and, for a while, not read each
    /// other's links.
    /// </summary>
    public static async Task EnsureKeyAsync(NotifierDbContext db, IServiceProvider services, CancellationToken cancellationToken)
    {
        const long lockId = 0x466C_6578_7955; // any constant shared by the replicas
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({lockId})", cancellationToken);
            try
            {
                // The first Protect loads the key ring from notifierdb and creates a key only if there is none.
                services.GetRequiredService<UnsubscribeTokens>().Create("start-up", "start-up@localhost");
            }
            finally
            {
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({lockId})", cancellationToken);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    public bool TryRead(string token, out UnsubscribeSubject subject)
    {
        subject = null!;
        try
        {
            var read = JsonSerializer.Deserialize<UnsubscribeSubject>(protector.Unprotect(token), NotifierJson.Options);
            if (read is null || string.IsNullOrEmpty(read.StoreId) || string.IsNullOrEmpty(read.Email))
            {
                return false;
            }
            subject = read;
            return true;
        }
        catch (Exception e) when (e is CryptographicException or FormatException or JsonException)
        {
            return false;
        }
    }
}
