using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using FlexyPe.Recovery.StackTests.Stack;

namespace FlexyPe.Recovery.StackTests.Notifier;

/// <summary>
/// A Notifier process against a relay run the way providers and internal relays run them: STARTTLS with the relay's
/// own certificate (self-signed here, made by the test) and AUTH required before any mail. The certificate is
/// trusted through <c>Notifier:Smtp:TrustedCertificateThumbprints</c>, or not at all.
/// </summary>
[Collection(RecoveryStackCollection.Name)]
public sealed class NotifierSmtpTlsTests(RecoveryStack stack)
{
    private const string UserName = "relay-user";
    private const string Password = "s3cret:with/odd@chars";

    private static string NewAddress() => $"shopper-{Guid.NewGuid():N}@example.test";

    [Fact]
    public async Task A_starttls_relay_whose_certificate_thumbprint_is_listed_gets_the_message_over_tls_and_authenticated()
    {
        using var certificate = TestSmtpServer.SelfSignedCertificate();
        await using var smtp = await TestSmtpServer.StartAsync(relay: new(certificate, UserName, Password));
        // Pasted the way openssl prints it: pairs of hex digits with colons.
        await using var notifier = await StartNotifierAsync(smtp.Port, Password, trusted: OpensslFingerprint(certificate));
        var to = NewAddress();

        var id = await notifier.Client.SendAsync(NotifierClient.Request($"tls-{Guid.NewGuid()}", to));

        Assert.Equal("sent", await notifier.Client.FinalStatusAsync(id));
        var received = Assert.Single(smtp.MessagesTo(to));
        Assert.Equal((true, UserName), smtp.SessionOf(received));
    }

    [Theory]
    [InlineData(true)]  // another certificate's thumbprint is listed
    [InlineData(false)] // none is listed: only the system's trust applies
    public async Task A_starttls_relay_whose_certificate_is_not_trusted_gets_nothing_and_the_message_waits_saying_why(bool anotherIsListed)
    {
        using var certificate = TestSmtpServer.SelfSignedCertificate();
        using var another = TestSmtpServer.SelfSignedCertificate();
        await using var smtp = await TestSmtpServer.StartAsync(relay: new(certificate, UserName, Password));
        await using var notifier = await StartNotifierAsync(smtp.Port, Password, trusted: anotherIsListed ? OpensslFingerprint(another) : null);

        var id = await notifier.Client.SendAsync(NotifierClient.Request($"untrusted-{Guid.NewGuid()}", NewAddress()));

        var message = await TriedAsync(notifier, id);
        Assert.Equal("pending", message.GetProperty("status").GetString());
        var reply = message.GetProperty("last_smtp_reply").GetString()!;
        Assert.Contains("certificate is not trusted", reply, StringComparison.Ordinal);
        Assert.Contains(certificate.GetCertHashString(HashAlgorithmName.SHA256), reply, StringComparison.Ordinal);
        Assert.Contains("Notifier:Smtp:TrustedCertificateThumbprints", reply, StringComparison.Ordinal);
        Assert.Empty(smtp.Messages);
        Assert.DoesNotContain(Password, notifier.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_password_gets_nothing_through_and_the_message_waits_with_the_relays_refusal()
    {
        using var certificate = TestSmtpServer.SelfSignedCertificate();
        await using var smtp = await TestSmtpServer.StartAsync(relay: new(certificate, UserName, Password));
        await using var notifier = await StartNotifierAsync(smtp.Port, "not-the-password", trusted: OpensslFingerprint(certificate));

        var id = await notifier.Client.SendAsync(NotifierClient.Request($"badauth-{Guid.NewGuid()}", NewAddress()));

        var message = await TriedAsync(notifier, id);
        Assert.Equal("pending", message.GetProperty("status").GetString());
        Assert.StartsWith("AuthenticationException: 535", message.GetProperty("last_smtp_reply").GetString(), StringComparison.Ordinal);
        Assert.Empty(smtp.Messages);
    }

    private async Task<NotifierProcess> StartNotifierAsync(int port, string password, string? trusted)
        => await NotifierProcess.StartAsync(
            await NotifierProcess.CreateDatabaseAsync(stack),
            $"smtp://{Uri.EscapeDataString(UserName)}:{Uri.EscapeDataString(password)}@127.0.0.1:{port}?tls=starttls",
            stack.AdminApiKey,
            trusted is null ? null : new Dictionary<string, string> { ["Notifier:Smtp:TrustedCertificateThumbprints:0"] = trusted });

    /// <summary>The request once its first attempt is over (its outcome is committed with the attempt count).</summary>
    private static async Task<JsonElement> TriedAsync(NotifierProcess notifier, string id)
    {
        await Eventually.TrueAsync(async () => (await notifier.Client.MessageAsync(id)).GetProperty("message").GetProperty("attempt_count").GetInt32() >= 1,
            $"message request {id} to be tried");
        return (await notifier.Client.MessageAsync(id)).GetProperty("message");
    }

    /// <summary><c>openssl x509 -fingerprint -sha256</c>'s form, in lower case: "ab:cd:…".</summary>
    private static string OpensslFingerprint(X509Certificate2 certificate)
        => string.Join(':', certificate.GetCertHashString(HashAlgorithmName.SHA256).Chunk(2).Select(pair => new string(pair))).ToLowerInvariant();
}
