using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Backchannel.Channels.App;

namespace Backchannel.Tests.Channels.App;

/// <summary>What is sent to Google, as its documentation has it: the service account's assertion and the FCM v1 message.</summary>
public class FcmWireFormatTests
{
    [Fact]
    public void The_assertion_is_an_rs256_jwt_of_the_service_account_for_the_messaging_scope_living_one_hour()
    {
        using var rsa = RSA.Create(2048);
        var json = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["type"] = "service_account",
            ["project_id"] = "p-1",
            ["private_key"] = rsa.ExportPkcs8PrivateKeyPem(),
            ["client_email"] = "sender@p-1.iam.gserviceaccount.com",
            ["token_uri"] = "https://oauth2.googleapis.com/token",
        });
        var (account, error) = GoogleServiceAccount.Parse(json);
        Assert.NotNull(account);
        Assert.Null(error);
        var now = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);

        var parts = FcmAccessTokens.CreateAssertion(account, now).Split('.');

        Assert.Equal("""{"alg":"RS256","typ":"JWT"}""", Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[0])));
        Assert.Equal(
            $$"""{"iss":"sender@p-1.iam.gserviceaccount.com","scope":"https://www.googleapis.com/auth/firebase.messaging","aud":"https://oauth2.googleapis.com/token","iat":{{now.ToUnixTimeSeconds()}},"exp":{{now.ToUnixTimeSeconds() + 3600}}}""",
            Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])));
        Assert.True(rsa.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url.DecodeFromChars(parts[2]),
            HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public void The_wake_up_names_only_the_device_and_that_a_request_waits()
    {
        var body = JsonSerializer.Serialize(FcmSendRequest.WakeUp("registration-token"), AppJsonContext.Default.FcmSendRequest);

        Assert.Equal(
            """{"message":{"token":"registration-token","notification":{"title":"Sign-in request","body":"You have a request to review."},"data":{"type":"ciba_request"},"android":{"priority":"HIGH"}}}""",
            body);
    }

    [Theory]
    [InlineData("""{"type":"authorized_user"}""", "not a service account key")]
    [InlineData("""{"type":"service_account","client_email":"a@b","token_uri":"http://insecure.example/token","private_key":""}""", "token_uri is not an absolute https URL")]
    [InlineData("""{"type":"service_account","client_email":"a@b","token_uri":"https://oauth2.googleapis.com/token","private_key":"nope"}""", "not an RSA private key")]
    [InlineData("not json", "not JSON")]
    public void A_key_file_that_cannot_be_used_is_refused_with_the_reason(string json, string reason)
    {
        var (account, error) = GoogleServiceAccount.Parse(json);

        Assert.Null(account);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }
}
