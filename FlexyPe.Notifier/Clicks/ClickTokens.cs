using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace FlexyPe.Notifier.Clicks;

/// <summary>Which link of which message a click token names.</summary>
public sealed record ClickTarget(Guid MessageId, int LinkIndex);

/// <summary>
/// Signed (and encrypted) click tokens: the message request's id and the link's position in it, protected with the
/// Data Protection key ring the unsubscribe links use (keys in notifierdb, shared by every replica). The token names
/// no URL: the redirect reads the URL from the links recorded on the message, so no token can send a shopper anywhere
/// the message did not link to.
/// </summary>
public sealed class ClickTokens(IDataProtectionProvider provider)
{
    private const int PayloadLength = 16 + sizeof(int);
    private readonly IDataProtector protector = provider.CreateProtector("FlexyPe.Notifier.Clicks.v1");

    public string Create(Guid messageId, int linkIndex)
    {
        var payload = new byte[PayloadLength];
        messageId.TryWriteBytes(payload);
        BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(16), linkIndex);
        return Base64Url.EncodeToString(protector.Protect(payload));
    }

    public bool TryRead(string token, out ClickTarget target)
    {
        target = null!;
        try
        {
            var payload = protector.Unprotect(Base64Url.DecodeFromChars(token));
            if (payload.Length != PayloadLength)
            {
                return false;
            }
            target = new ClickTarget(new Guid(payload.AsSpan(0, 16)), BinaryPrimitives.ReadInt32LittleEndian(payload.AsSpan(16)));
            return true;
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            return false;
        }
    }
}
