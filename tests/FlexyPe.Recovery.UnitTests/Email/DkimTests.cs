using System.Security.Cryptography;
using FlexyPe.Notifier;
using FlexyPe.Notifier.Dkim;
using FlexyPe.Workflows.Templates;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Cryptography;

namespace FlexyPe.Recovery.UnitTests.Email;

/// <summary>DKIM: what a receiving server checks, with the public key it would find in DNS.</summary>
public sealed class DkimTests
{
    private const string Domain = "my-store.com";
    private const string Selector = "flexype";

    private static readonly RSA Key = RSA.Create(2048);

    /// <summary>The TXT record docs/notifier.md tells a store to publish at flexype._domainkey.my-store.com.</summary>
    private static string TxtRecord(RSA key) => "v=DKIM1; k=rsa; p=" + Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());

    /// <summary>Answers the verifier's DNS question with the record above, and only for our selector and domain.</summary>
    private sealed class PublishedKey(string txt) : DkimPublicKeyLocatorBase
    {
        public override Org.BouncyCastle.Crypto.AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default)
            => domain == Domain && selector == Selector ? GetPublicKey(txt) : throw new InvalidOperationException($"no key at {selector}._domainkey.{domain}");

        public override Task<Org.BouncyCastle.Crypto.AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default)
            => Task.FromResult(LocatePublicKey(methods, domain, selector, cancellationToken));
    }

    private static DkimSigning Signing(string pem) => new(Options.Create(EmailRendering.NotifierOptions(o =>
        o.Dkim.Domains[Domain] = new DkimDomainOptions { Selector = Selector, PrivateKey = pem })));

    private static async Task<MimeMessage> SentAsync(DkimSigning signing)
    {
        var email = await EmailRendering.RenderAsync(EmailRendering.Step("abandoned-checkout", 1), SampleEvent.AbandonedCheckout, dkim: signing);
        // What the receiving server gets: the bytes on the wire, parsed again.
        using var wire = new MemoryStream();
        await email.Mime.WriteToAsync(wire);
        wire.Position = 0;
        return await MimeMessage.LoadAsync(wire);
    }

    private static bool Verifies(MimeMessage message, RSA key)
    {
        var signature = message.Headers[message.Headers.IndexOf(HeaderId.DkimSignature)];
        return new DkimVerifier(new PublishedKey(TxtRecord(key))).Verify(message, signature);
    }

    [Fact]
    public async Task A_signed_message_verifies_against_the_published_public_key()
    {
        var message = await SentAsync(Signing(Key.ExportRSAPrivateKeyPem()));

        Assert.True(Verifies(message, Key));
        var signature = message.Headers[HeaderId.DkimSignature];
        Assert.Contains("d=my-store.com", signature, StringComparison.Ordinal);
        Assert.Contains("s=flexype", signature, StringComparison.Ordinal);
        Assert.Contains("c=relaxed/relaxed", signature, StringComparison.Ordinal);
        var signed = System.Text.RegularExpressions.Regex.Match(signature!, @"h=([^;]+)").Groups[1].Value;
        signed = System.Text.RegularExpressions.Regex.Replace(signed, @"\s", "");
        var names = signed.Split(':');
        foreach (var header in new[] { "from", "subject", "date", "to", "message-id", "list-unsubscribe", "list-unsubscribe-post", "mime-version", "content-type" })
        {
            Assert.Contains(header, names, StringComparer.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task A_pkcs8_key_signs_as_well()
        => Assert.True(Verifies(await SentAsync(Signing(Key.ExportPkcs8PrivateKeyPem())), Key));

    [Fact]
    public async Task A_message_whose_body_was_altered_on_the_way_fails_verification()
    {
        var message = await SentAsync(Signing(Key.ExportRSAPrivateKeyPem()));
        var html = message.BodyParts.OfType<TextPart>().Single(p => p.IsHtml);
        html.Text = html.Text.Replace("₹630.00", "₹6.30", StringComparison.Ordinal);

        Assert.False(Verifies(message, Key));
    }

    [Fact]
    public async Task A_message_verified_with_another_key_fails()
    {
        using var other = RSA.Create(2048);
        Assert.False(Verifies(await SentAsync(Signing(Key.ExportRSAPrivateKeyPem())), other));
    }

    [Fact]
    public async Task Mail_from_a_domain_without_a_key_goes_unsigned()
    {
        var signing = new DkimSigning(Options.Create(EmailRendering.NotifierOptions(o =>
            o.Dkim.Domains["another-store.com"] = new DkimDomainOptions { Selector = Selector, PrivateKey = Key.ExportRSAPrivateKeyPem() })));
        var message = await SentAsync(signing);
        Assert.Equal(-1, message.Headers.IndexOf(HeaderId.DkimSignature));
    }

    [Theory]
    [InlineData("-----BEGIN RSA PRIVATE KEY-----\nnot a key\n-----END RSA PRIVATE KEY-----", "is not a PEM RSA")]
    [InlineData("hello", "is not a PEM RSA")]
    [InlineData("", "needs PrivateKey (PEM) or PrivateKeyFile")]
    public void A_bad_key_stops_the_start_with_a_message_naming_the_setting(string pem, string expected)
    {
        var options = EmailRendering.NotifierOptions(o => o.Dkim.Domains[Domain] = new DkimDomainOptions { Selector = Selector, PrivateKey = pem });
        var result = new DkimOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith($"Notifier:Dkim:Domains:{Domain}", failure, StringComparison.Ordinal);
        Assert.Contains(expected, failure, StringComparison.Ordinal);
        Assert.DoesNotContain("not a key", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_short_rsa_key_is_refused()
    {
        using var weak = RSA.Create(512);
        var options = EmailRendering.NotifierOptions(o => o.Dkim.Domains[Domain] = new DkimDomainOptions { Selector = Selector, PrivateKey = weak.ExportRSAPrivateKeyPem() });
        Assert.Contains("shorter than 1024 bits", Assert.Single(new DkimOptionsValidator().Validate(null, options).Failures!), StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_file_that_is_not_there_is_refused()
    {
        var options = EmailRendering.NotifierOptions(o => o.Dkim.Domains[Domain] = new DkimDomainOptions { Selector = Selector, PrivateKeyFile = "/nonexistent/dkim.pem" });
        Assert.Contains("PrivateKeyFile could not be read", Assert.Single(new DkimOptionsValidator().Validate(null, options).Failures!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_file_signs_like_the_key_itself()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, Key.ExportRSAPrivateKeyPem());
            var signing = new DkimSigning(Options.Create(EmailRendering.NotifierOptions(o =>
                o.Dkim.Domains[Domain] = new DkimDomainOptions { Selector = Selector, PrivateKeyFile = file })));
            Assert.True(Verifies(await SentAsync(signing), Key));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
