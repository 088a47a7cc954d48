namespace FlexyPe.Notifier.Dkim;

/// <summary><c>Notifier:Dkim:</c>: a signing key per sending domain (the From address's domain); none, and mail goes unsigned.</summary>
public sealed class DkimOptions
{
    /// <summary>Per domain, e.g. <c>Notifier:Dkim:Domains:my-store.com:Selector</c>.</summary>
    public Dictionary<string, DkimDomainOptions> Domains { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

public sealed class DkimDomainOptions
{
    /// <summary>The selector: the public key is the TXT record <c>{Selector}._domainkey.{domain}</c>.</summary>
    public string? Selector { get; set; }

    /// <summary>The private key in PEM (RSA, PKCS#1 or PKCS#8, at least 1024 bits; or Ed25519).</summary>
    public string? PrivateKey { get; set; }

    /// <summary>A file holding the PEM private key instead of <see cref="PrivateKey"/> (a mounted secret).</summary>
    public string? PrivateKeyFile { get; set; }
}
