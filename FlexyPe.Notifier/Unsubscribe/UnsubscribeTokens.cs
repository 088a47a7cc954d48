using System.Security.Cryptography;
using System.Text.Json;
using FlexyPe.Notifier.Infrastructure;
using Microsoft.AspNetCore.DataProtection;

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
        => protector.Protect(JsonSerializer.Serialize(new UnsubscribeSubject(storeId, email.ToLowerInvariant()), HandOffJson.Options));

    /// <summary>
    /// Makes sure a signing key exists before the service takes traffic. It runs as the migration's seed, under the
    /// migration's advisory lock (ServiceDefaults' AddMigration): replicas starting together on an empty database would
    /// otherwise each create a key and, for a while, not read each other's links.
    /// </summary>
    public static Task EnsureKeyAsync(NotifierDbContext db, IServiceProvider services, CancellationToken cancellationToken)
    {
        // The first Protect loads the key ring from notifierdb and creates a key only if there is none.
        services.GetRequiredService<UnsubscribeTokens>().Create("start-up", "start-up@localhost");
        return Task.CompletedTask;
    }

    public bool TryRead(string token, out UnsubscribeSubject subject)
    {
        subject = null!;
        try
        {
            var read = JsonSerializer.Deserialize<UnsubscribeSubject>(protector.Unprotect(token), HandOffJson.Options);
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
