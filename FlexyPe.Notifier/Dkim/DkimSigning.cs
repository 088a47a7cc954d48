using FlexyPe.Notifier;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.OpenSsl;

namespace FlexyPe.Notifier.Dkim;

/// <summary>
/// Signs outgoing mail with DKIM (MimeKit's <see cref="DkimSigner"/>, relaxed/relaxed) when the From domain has a key
/// in <c>Notifier:Dkim:Domains</c>; mail from any other domain goes unsigned. The signature covers the headers a
/// receiver judges (From, To, Subject, Date, Message-ID, the one-click unsubscribe pair) and the MIME structure, so
/// Gmail's and Yahoo's bulk-sender rules (DKIM plus one-click unsubscribe) are met.
/// </summary>
public sealed class DkimSigning
{
    /// <summary>What is signed. Absent ones (Reply-To) are signed as absent, so none can be added on the way.</summary>
    public static readonly string[] SignedHeaders =
    [
        "From", "Reply-To", "To", "Subject", "Date", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post",
        "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
    ];

    private readonly Dictionary<string, DkimSigner> signers;

    public DkimSigning(IOptions<NotifierOptions> options)
    {
        signers = new Dictionary<string, DkimSigner>(StringComparer.OrdinalIgnoreCase);
        foreach (var (domain, settings) in options.Value.Dkim.Domains)
        {
            // Start-up validation (DkimOptionsValidator) has already refused anything that does not load.
            signers[domain] = CreateSigner(domain, settings, out var error) ?? throw new InvalidOperationException(error);
        }
    }

    /// <summary>The domains mail is signed for.</summary>
    public IReadOnlyCollection<string> Domains => signers.Keys;

    /// <summary>Signs <paramref name="message"/> when its From domain has a key; false when it goes unsigned.</summary>
    public bool TrySign(MimeMessage message)
    {
        var domain = message.From.Mailboxes.FirstOrDefault()?.Domain;
        if (domain is null || !signers.TryGetValue(domain, out var signer))
        {
            return false;
        }
        // Encode the body for 7-bit transport first: a server or relay re-encoding it after signing would break the
        // body hash. MailKit then has nothing left to change.
        message.Prepare(EncodingConstraint.SevenBit);
        signer.Sign(message, SignedHeaders);
        return true;
    }

    /// <summary>The signer for one domain's settings, or null with a message an operator can act on.</summary>
    public static DkimSigner? CreateSigner(string domain, DkimDomainOptions settings, out string? error)
    {
        var prefix = $"Notifier:Dkim:Domains:{domain}";
        error = null;
        if (string.IsNullOrWhiteSpace(settings.Selector))
        {
            error = $"{prefix}:Selector is required (the public key is published at <selector>._domainkey.{domain}).";
            return null;
        }
        string pem;
        if (!string.IsNullOrWhiteSpace(settings.PrivateKeyFile))
        {
            try
            {
                pem = File.ReadAllText(settings.PrivateKeyFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error = $"{prefix}:PrivateKeyFile could not be read ({e.GetType().Name}: {e.Message}).";
                return null;
            }
        }
        else if (!string.IsNullOrWhiteSpace(settings.PrivateKey))
        {
            pem = settings.PrivateKey;
        }
        else
        {
            error = $"{prefix} needs PrivateKey (PEM) or PrivateKeyFile.";
            return null;
        }

        AsymmetricKeyParameter? key;
        try
        {
            key = new PemReader(new StringReader(pem.Trim())).ReadObject() switch
            {
                AsymmetricCipherKeyPair pair => pair.Private,
                AsymmetricKeyParameter { IsPrivate: true } single => single,
                _ => null,
            };
        }
        catch (Exception e) when (e is IOException or PemException or ArgumentException or InvalidCastException)
        {
            key = null;
        }
        var algorithm = key switch
        {
            RsaKeyParameters rsa when rsa.Modulus.BitLength >= 1024 => DkimSignatureAlgorithm.RsaSha256,
            Ed25519PrivateKeyParameters => DkimSignatureAlgorithm.Ed25519Sha256,
            _ => (DkimSignatureAlgorithm?)null,
        };
        if (algorithm is null)
        {
            error = key is RsaKeyParameters
                ? $"{prefix}: the RSA key is shorter than 1024 bits, which receivers ignore; use 2048."
                : $"{prefix}: the private key is not a PEM RSA (BEGIN RSA PRIVATE KEY / BEGIN PRIVATE KEY) or Ed25519 private key.";
            return null;
        }
        return new DkimSigner(key!, domain, settings.Selector.Trim(), algorithm.Value)
        {
            HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
        };
    }
}

/// <summary>Refuses to start with a DKIM key that does not load, naming the setting and what is wrong (never the key).</summary>
public sealed class DkimOptionsValidator : IValidateOptions<NotifierOptions>
{
    public ValidateOptionsResult Validate(string? name, NotifierOptions options)
    {
        var errors = new List<string>();
        foreach (var (domain, settings) in options.Dkim.Domains)
        {
            if (DkimSigning.CreateSigner(domain, settings, out var error) is null)
            {
                errors.Add(error!);
            }
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
