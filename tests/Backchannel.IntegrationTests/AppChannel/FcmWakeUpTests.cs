using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests.AppChannel;

/// <summary>
/// FCM wake-ups against a stand-in for Google over HTTPS on loopback (a certificate of a throw-away CA the provider
/// trusts through Notifications:TrustedCertificatesFile, FCM's address through Channels:App:Fcm:BaseUrl and the key
/// file's token_uri): the service account's token request and the FCM v1 message are checked byte for byte against
/// Google's documented formats, and the access token is fetched once and shared.
/// </summary>
public sealed class FcmWakeUpTests : IAsyncLifetime
{
    private const string ProjectId = "backchannel-test";
    private const string ClientEmail = "fcm-sender@backchannel-test.iam.gserviceaccount.com";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "backchannel-fcm-" + Guid.NewGuid().ToString("N"));
    private readonly RSA _serviceAccountKey = RSA.Create(2048);
    private FakeFcmServer? _google;
    private TestProvider? _provider;

    private FakeFcmServer Google => _google!;

    private TestProvider Provider => _provider!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _google = await FakeFcmServer.StartAsync(_directory);
        var keyFile = Path.Combine(_directory, "service-account.json");
        await File.WriteAllTextAsync(keyFile, JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["type"] = "service_account",
            ["project_id"] = ProjectId,
            ["private_key_id"] = "0123456789abcdef",
            ["private_key"] = _serviceAccountKey.ExportPkcs8PrivateKeyPem(),
            ["client_email"] = ClientEmail,
            ["client_id"] = "123456789",
            ["auth_uri"] = "https://accounts.google.com/o/oauth2/auth",
            ["token_uri"] = Google.TokenUri,
        }));
        _provider = await TestProvider.StartAsync(new Dictionary<string, string?>
        {
            ["Backchannel:Channels:App:Enabled"] = "true",
            ["Backchannel:Channels:App:Fcm:ServiceAccountFile"] = keyFile,
            ["Backchannel:Channels:App:Fcm:BaseUrl"] = Google.BaseUrl,
            ["Backchannel:Notifications:TrustedCertificatesFile"] = Google.Certificates.AuthorityPemFile,
            ["Backchannel:Users:0:channel"] = "app",
            ["Backchannel:Users:1:channel"] = "app",
        });
    }

    /// <summary>
    /// An ID token of <paramref name="user"/>, from a flow approved by the device service: a request of a user who has no
    /// device yet goes past the app to the default channel.
    /// </summary>
    private async Task<string> IdTokenAsync(string user = "alice") => (await Provider.CompleteFlowAsync(user)).IdentityToken!;

    /// <summary>A device with a push token, registered with <paramref name="idToken"/>.</summary>
    private async Task RegisterAsync(string idToken, string pushToken)
    {
        var device = new TestAppDevice(Provider, pushToken: pushToken);
        using var response = await device.RegisterAsync(idToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task The_service_account_token_request_and_the_wake_up_are_as_google_documents_them()
    {
        await RegisterAsync(await IdTokenAsync(), "fcm-registration-token-1");
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var first = await Provider.AuthorizeAsync("alice");
        Assert.False(first.IsError, first.Raw);
        await Google.WaitForSendsAsync(1);
        var after = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        // The JWT-bearer grant (RFC 7523), as Google's OAuth 2.0 for service accounts has it.
        var tokenRequest = Assert.Single(Google.TokenRequests);
        Assert.Equal("POST", tokenRequest.Method);
        Assert.Equal("/token", tokenRequest.Path);
        Assert.Equal("application/x-www-form-urlencoded", tokenRequest.ContentType);
        Assert.Null(tokenRequest.Authorization);
        const string prefix = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=";
        Assert.StartsWith(prefix, tokenRequest.Text, StringComparison.Ordinal);
        var assertion = tokenRequest.Text[prefix.Length..];
        var parts = assertion.Split('.');
        Assert.Equal(3, parts.Length);
        Assert.Equal("""{"alg":"RS256","typ":"JWT"}""", Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[0])));
        using var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        var root = claims.RootElement;
        Assert.Equal(["iss", "scope", "aud", "iat", "exp"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(ClientEmail, root.GetProperty("iss").GetString());
        Assert.Equal("https://www.googleapis.com/auth/firebase.messaging", root.GetProperty("scope").GetString());
        Assert.Equal(Google.TokenUri, root.GetProperty("aud").GetString());
        var iat = root.GetProperty("iat").GetInt64();
        Assert.InRange(iat, before - 1, after + 1);
        Assert.Equal(iat + 3600, root.GetProperty("exp").GetInt64());
        Assert.True(_serviceAccountKey.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url.DecodeFromChars(parts[2]),
            HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), "the assertion is not signed with the service account's key");

        // FCM HTTP v1: POST /v1/projects/{project}/messages:send with the access token, and a message that says only that a request waits.
        var send = Assert.Single(Google.SendRequests);
        Assert.Equal("POST", send.Method);
        Assert.Equal($"/v1/projects/{ProjectId}/messages:send", send.Path);
        Assert.Equal("Bearer ya29.test-access-token-1", send.Authorization);
        Assert.Equal("application/json", send.ContentType);
        Assert.Equal(
            """{"message":{"token":"fcm-registration-token-1","notification":{"title":"Sign-in request","body":"You have a request to review."},"data":{"type":"ciba_request"},"android":{"priority":"HIGH"}}}""",
            send.Text);
        Assert.DoesNotContain(Provider.LastBindingMessage!, send.Text, StringComparison.Ordinal);

        // The next wake-up uses the same access token.
        Assert.False((await Provider.AuthorizeAsync("alice")).IsError);
        await Google.WaitForSendsAsync(2);
        Assert.Single(Google.TokenRequests);
        Assert.Equal("Bearer ya29.test-access-token-1", Google.SendRequests.Last().Authorization);
    }

    [Fact]
    public async Task Concurrent_wake_ups_share_one_access_token_and_a_refused_token_is_replaced_and_the_wake_up_retried()
    {
        var alice = await IdTokenAsync();
        var bob = await IdTokenAsync("bob");
        await RegisterAsync(alice, "token-a");
        await RegisterAsync(alice, "token-b");
        await RegisterAsync(bob, "token-c");
        Assert.Empty(Google.TokenRequests);

        var requests = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Provider.AuthorizeAsync(i % 2 == 0 ? "alice" : "bob")));
        Assert.All(requests, r => Assert.False(r.IsError, r.Raw));
        await Google.WaitForSendsAsync(6); // two alice requests to two devices, two bob requests to one

        Assert.Single(Google.TokenRequests);
        Assert.All(Google.SendRequests, send => Assert.Equal("Bearer ya29.test-access-token-1", send.Authorization));

        // FCM refuses the token: the next attempt gets a new one and wakes the device again.
        Google.AnswerNextSends(401);
        Assert.False((await Provider.AuthorizeAsync("bob")).IsError);
        await Google.WaitForSendsAsync(8);
        Assert.Equal(2, Google.TokenRequests.Count);
        Assert.Equal(["Bearer ya29.test-access-token-1", "Bearer ya29.test-access-token-2"], Google.SendRequests.Skip(6).Select(s => s.Authorization));
    }

    public async Task DisposeAsync()
    {
        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }

        if (_google is not null)
        {
            await _google.DisposeAsync();
        }

        _serviceAccountKey.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
