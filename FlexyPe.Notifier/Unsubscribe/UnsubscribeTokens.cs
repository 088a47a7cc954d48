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
        => protector.Protect(JsonSerializer.Serialize(new UnsubscribeSubject(storeId, email.ToLowerInvariant()), NotifierJson.Options));

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
