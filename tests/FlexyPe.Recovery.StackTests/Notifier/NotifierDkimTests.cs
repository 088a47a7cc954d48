using System.Security.Cryptography;
using FlexyPe.Recovery.StackTests.Stack;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;

namespace FlexyPe.Recovery.StackTests.Notifier;

/// <summary>DKIM on the wire: a Notifier process with a key for its sending domain, and one with a key that is not one.</summary>
[Collection(RecoveryStackCollection.Name)]
public sealed class NotifierDkimTests(RecoveryStack stack)
{
    private const string Domain = "my-store.test";
    private const string Selector = "flexype";

    /// <summary>The public key as a receiver finds it: the TXT record at flexype._domainkey.my-store.test.</summary>
    private sealed class PublishedKey(RSA key) : DkimPublicKeyLocatorBase
    {
        public override AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default)
            => domain == Domain && selector == Selector
                ? GetPublicKey("v=DKIM1; k=rsa; p=" + Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()))
                : throw new InvalidOperationException($"no key at {selector}._domainkey.{domain}");

        public override Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default)
            => Task.FromResult(LocatePublicKey(methods, domain, selector, cancellationToken));
    }

    [Fact]
    public async Task A_message_from_a_domain_with_a_key_arrives_signed_and_verifies_against_the_published_key()
    {
        using var key = RSA.Create(2048);
        var keyFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(keyFile, key.ExportPkcs8PrivateKeyPem());
        try
        {
            await using var smtp = await TestSmtpServer.StartAsync();
            await using var notifier = await NotifierProcess.StartAsync(await NotifierProcess.CreateDatabaseAsync(stack), smtp.ConnectionString, stack.AdminApiKey,
                new Dictionary<string, string>
                {
                    ["Notifier:DefaultFrom"] = $"My Store <hello@{Domain}>",
                    [$"Notifier:Dkim:Domains:{Domain}:Selector"] = Selector,
                    [$"Notifier:Dkim:Domains:{Domain}:PrivateKeyFile"] = keyFile,
                });
            var to = $"shopper-{Guid.NewGuid():N}@example.test";

            var id = await notifier.Client.SendAsync(NotifierClient.Request($"dkim-{Guid.NewGuid()}", to));
            Assert.Equal("sent", await notifier.Client.FinalStatusAsync(id));

            var received = Assert.Single(smtp.MessagesTo(to));
            var index = received.Headers.IndexOf(HeaderId.DkimSignature);
            Assert.True(index >= 0, "the message carries a DKIM-Signature");
            Assert.True(new DkimVerifier(new PublishedKey(key)).Verify(received, received.Headers[index]));
            Assert.Contains($"d={Domain}", received.Headers[index].Value, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(keyFile);
        }
    }

    [Fact]
    public async Task A_key_that_is_not_a_key_stops_the_notifier_at_start_with_a_message_naming_the_setting()
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        var database = await NotifierProcess.CreateDatabaseAsync(stack);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => NotifierProcess.StartAsync(database, smtp.ConnectionString, stack.AdminApiKey,
            new Dictionary<string, string>
            {
                [$"Notifier:Dkim:Domains:{Domain}:Selector"] = Selector,
                [$"Notifier:Dkim:Domains:{Domain}:PrivateKey"] = "-----BEGIN RSA PRIVATE KEY-----\nbm90IGEga2V5\n-----END RSA PRIVATE KEY-----",
            }));

        Assert.Contains($"Notifier:Dkim:Domains:{Domain}: the private key is not a PEM RSA", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("bm90IGEga2V5", failure.Message, StringComparison.Ordinal);
    }
}
