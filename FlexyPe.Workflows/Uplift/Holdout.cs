using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace FlexyPe.Workflows.Uplift;

/// <summary>
/// Whether an enrollment is held out (enrolled and tracked, sent nothing), so that what the messages add can be
/// measured against shoppers who got none. Decided by a SHA-256 hash of store and subject (the checkout, session or
/// customer key), never by <see cref="string.GetHashCode()"/>, which differs between processes: the same subject gets
/// the same answer on every replica, after every restart and on every repeated delivery, so a checkout is never both
/// held out and treated.
/// </summary>
public static class Holdout
{
    /// <summary>True when the subject falls in the store's held-out share.</summary>
    public static bool IsHeldOut(string storeId, string subjectKey, double share)
        => share > 0 && Position(storeId, subjectKey) < share;

    /// <summary>The subject's fixed place in [0, 1): uniform over subjects, the same wherever it is computed.</summary>
    public static double Position(string storeId, string subjectKey) => UnitInterval("holdout", storeId, subjectKey);

    /// <summary>A value in [0, 1) from the first 8 bytes of SHA-256 over the parts (length-prefixed, so no two part lists collide).</summary>
    internal static double UnitInterval(params string[] parts)
    {
        var text = new StringBuilder();
        foreach (var part in parts)
        {
            text.Append(part.Length).Append(':').Append(part).Append('|');
        }
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()), hash);
        // 53 bits: exactly representable in a double, so every value is < 1.
        return (BinaryPrimitives.ReadUInt64BigEndian(hash) >> 11) / (double)(1UL << 53);
    }
}
