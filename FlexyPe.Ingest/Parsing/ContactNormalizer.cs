using PhoneNumbers;

namespace FlexyPe.Ingest.Parsing;

/// <summary>Customer identity as the domain rules define it: lower-cased email, phone in E.164.</summary>
internal static class ContactNormalizer
{
    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();

    public static string? Email(string? email) =>
        string.IsNullOrWhiteSpace(email) || !email.Contains('@', StringComparison.Ordinal) ? null : email.Trim().ToLowerInvariant();

    /// <summary>
    /// E.164 from whichever of FlexyPe's forms arrived: <c>phone_with_dial_code</c> (<c>+919876543210</c>), a phone
    /// that already starts with <c>+</c>, or <c>dial_code</c> (<c>"91"</c>, no plus) with a national <c>phone</c>.
    /// Null when nothing valid can be made of it.
    /// </summary>
    public static string? Phone(string? phoneWithDialCode, string? phone, string? dialCode, string? countryCode)
    {
        foreach (var candidate in Candidates(phoneWithDialCode, phone, dialCode))
        {
            try
            {
                var number = Phones.Parse(candidate, string.IsNullOrWhiteSpace(countryCode) ? null : countryCode.ToUpperInvariant());
                if (Phones.IsValidNumber(number))
                {
                    return Phones.Format(number, PhoneNumberFormat.E164);
                }
            }
            catch (NumberParseException)
            {
                // Try the next form FlexyPe may have used.
            }
        }

        return null;
    }

    private static IEnumerable<string> Candidates(string? phoneWithDialCode, string? phone, string? dialCode)
    {
        if (!string.IsNullOrWhiteSpace(phoneWithDialCode))
        {
            yield return phoneWithDialCode;
        }
        if (string.IsNullOrWhiteSpace(phone))
        {
            yield break;
        }
        if (phone.TrimStart().StartsWith('+'))
        {
            yield return phone;
        }
        var dial = dialCode?.Trim().TrimStart('+');
        if (!string.IsNullOrEmpty(dial))
        {
            yield return $"+{dial}{phone}";
        }
        yield return phone;
    }
}
