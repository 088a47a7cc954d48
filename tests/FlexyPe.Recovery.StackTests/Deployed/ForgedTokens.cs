namespace FlexyPe.Recovery.StackTests.Deployed;

/// <summary>What a forger would try from one real token: a character altered at a time, cut, lengthened, doubled, junk.</summary>
internal static class ForgedTokens
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    /// <summary>
    /// About 60 single-character alterations spread over <paramref name="token"/>, its cuts, 100 random strings of up to
    /// 300 characters, and <paramref name="more"/>; each once, none empty and none the token itself.
    /// </summary>
    public static List<string> From(string token, int seed, params string[] more)
    {
        var random = new Random(seed);
        var forged = new List<string>();
        for (var i = 0; i < token.Length; i += Math.Max(1, token.Length / 60))
        {
            var altered = token.ToCharArray();
            altered[i] = Alphabet[(Alphabet.IndexOf(altered[i], StringComparison.Ordinal) + 1 + random.Next(Alphabet.Length - 1)) % Alphabet.Length];
            forged.Add(new string(altered));
        }
        forged.AddRange([token[..^1], token[..(token.Length / 2)], token + "A", token + token, "x", new string('A', token.Length), .. more]);
        for (var i = 0; i < 100; i++)
        {
            forged.Add(new string([.. Enumerable.Range(0, random.Next(1, 300)).Select(_ => Alphabet[random.Next(Alphabet.Length)])]));
        }
        return [.. forged.Where(f => f.Length > 0 && f != token).Distinct()];
    }
}
