using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Backchannel.Abstractions;
using Backchannel.Domain;
using Backchannel.IntegrationTests.Hardening.Support;
using Backchannel.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.IntegrationTests.Hardening;

/// <summary>
/// Issue 16, item 6: unauthenticated or malformed requests that used to end in 500 with a logged stack trace get a 4xx
/// with the protocol's error code: a content type that only starts with the form type, a five-part JWE where a JWS is
/// expected (client_assertion, request, login_hint_token: a FormatException escaped ClientJwtValidator.Read), bad forms at
/// /userinfo, bad bodies at the device callback. And a failure nobody foresaw is 500 server_error in the protocol's JSON,
/// without a stack trace even in Development (where ASP.NET Core's developer exception page would otherwise print one).
/// One provider for the class, on the system clock (the client assertions are made from the real time).
/// </summary>
public sealed class MalformedInputTests(SharedSystemClockProvider shared) : IClassFixture<SharedSystemClockProvider>
{
    private const string JwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    private TestProvider Provider => shared.Provider;

    /// <summary>
    /// Five-part strings shaped like a compact JWE (an RSA-OAEP / A256GCM header), none a JWS: one of random bytes, and two
    /// whose other parts are not valid base64url (one character, three characters), which made the old reader throw.
    /// </summary>
    private static IEnumerable<string> Jwes()
    {
        var header = Base64UrlEncoder.Encode("{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\",\"kid\":\"k1\"}");
        string Random(int bytes) => Base64UrlEncoder.Encode(System.Security.Cryptography.RandomNumberGenerator.GetBytes(bytes));
        yield return string.Join('.', header, Random(256), Random(12), Random(64), Random(16));
        yield return header + ".a.b.c.d";
        yield return header + ".ab.abc.abcd.a";
    }

    private string Assertion(string path = "") => TestJwts.ClientAssertion(TestClients.JwtKey, TestClients.Jwt, Provider.Issuer + path);

    private async Task<(HttpResponseMessage Response, JsonElement Body)> SendAsync(HttpRequestMessage request)
    {
        var response = await Provider.Http.SendAsync(request);
        return (response, await ReadErrorAsync(response));
    }

    /// <summary>The protocol's JSON error of a response, checked to be one: JSON, an error code, no trace of an exception.</summary>
    private static async Task<JsonElement> ReadErrorAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode is >= 400 and < 500, $"Expected a 4xx, got {(int)response.StatusCode}: {text}");
        AssertNoExceptionText(text);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(text).RootElement.Clone();
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("error").GetString()), text);
        return body;
    }

    private static void AssertNoExceptionText(string text)
    {
        foreach (var sign in new[] { "Exception", "   at ", "System.", "Microsoft.", "Backchannel.", ".cs:line" })
        {
            Assert.DoesNotContain(sign, text, StringComparison.Ordinal);
        }
    }

    private static AuthenticationHeaderValue PollClientBasic() =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TestClients.Poll}:{TestClients.PollSecret}")));

    [Theory]
    [InlineData("/bc-authorize", "scope=openid&login_hint=alice")]
    [InlineData("/token", "grant_type=urn%3Aopenid%3Aparams%3Agrant-type%3Aciba&auth_req_id=x")]
    public async Task A_content_type_that_only_starts_with_the_form_type_is_invalid_request(string path, string form)
    {
        var content = new ByteArrayContent(Encoding.ASCII.GetBytes(form));
        content.Headers.TryAddWithoutValidation("Content-Type", "application/x-www-form-urlencodedXYZ");
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Authorization = PollClientBasic();

        var (response, body) = await SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", body.Error());
    }

    [Theory]
    [InlineData("/bc-authorize")]
    [InlineData("/token")]
    public async Task A_jwe_as_client_assertion_is_invalid_client(string path)
    {
        foreach (var jwe in Jwes())
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path)
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["client_id"] = TestClients.Jwt,
                    ["client_assertion_type"] = JwtBearer,
                    ["client_assertion"] = jwe,
                    ["grant_type"] = "urn:openid:params:grant-type:ciba",
                    ["auth_req_id"] = "x",
                    ["scope"] = "openid",
                    ["login_hint"] = "alice",
                }.Where(p => path == "/token" ? p.Key is not ("scope" or "login_hint") : p.Key is not ("grant_type" or "auth_req_id"))),
            };

            var (response, body) = await SendAsync(request);

            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized && body.Error() == "invalid_client", $"{jwe}: {(int)response.StatusCode} {body}");
        }
    }

    [Theory]
    [InlineData("request")]
    [InlineData("login_hint_token")]
    public async Task A_jwe_as_request_object_or_login_hint_token_is_invalid_request(string parameter)
    {
        foreach (var jwe in Jwes())
        {
            // The private_key_jwt client has keys, so that the JWT is read (not refused for want of a key to check it with).
            var form = new List<KeyValuePair<string, string>>
            {
                new("client_assertion_type", JwtBearer),
                new("client_assertion", Assertion("/bc-authorize")),
                new(parameter, jwe),
            };
            if (parameter == "login_hint_token")
            {
                form.Add(new("scope", "openid"));
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, "/bc-authorize") { Content = new FormUrlEncodedContent(form) };
            var (response, body) = await SendAsync(request);

            Assert.True(response.StatusCode == HttpStatusCode.BadRequest && body.Error() == "invalid_request", $"{jwe}: {(int)response.StatusCode} {body}");
        }
    }

    public static TheoryData<string, string, string, int, string> BadUserInfoForms() => new()
    {
        // Each of these was a 500 before the fix.
        { "more than 1,024 fields", "application/x-www-form-urlencoded", string.Join('&', Enumerable.Range(0, 1100).Select(i => $"{i}=")), 400, "invalid_request" },
        { "a 3,000-character key", "application/x-www-form-urlencoded", new string('k', 3000) + "=v", 400, "invalid_request" },
        { "%00 in a key", "application/x-www-form-urlencoded", "access%00token=abc&a%00=b", 400, "invalid_request" },
        { "%00 in a value", "application/x-www-form-urlencoded", "access_token=abc%00", 400, "invalid_request" },
        { "broken multipart", "multipart/form-data; boundary=xyz", "--xyz\r\nContent-Disposition: form-data; name=\"access_token\"\r\n\r\nabc", 400, "invalid_request" },
        { "multipart without a boundary", "multipart/form-data", "--\r\n\r\n", 400, "invalid_request" },

        // Readable (a stray % is kept as it is), so the token is what is wrong.
        { "bad percent-encoding", "application/x-www-form-urlencoded", "access_token=%zz%&%=%%", 401, "invalid_token" },
    };

    [Theory]
    [MemberData(nameof(BadUserInfoForms))]
    public async Task A_bad_form_at_userinfo_is_a_client_error_with_its_code(string @case, string contentType, string form, int status, string error)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(form));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/userinfo") { Content = content };

        var (response, body) = await SendAsync(request);

        Assert.True(((int)response.StatusCode, body.Error()) == (status, error), $"{@case}: {(int)response.StatusCode} {body}");
    }

    [Fact]
    public async Task A_five_megabyte_value_at_userinfo_is_413()
    {
        var response = await RawHttp.PostChunkedAsync(new Uri(Provider.Issuer + "/userinfo"), "application/x-www-form-urlencoded",
            "access_token=", 5L * 1024 * 1024);
        Assert.Equal(413, response.StatusCode);
        Assert.Equal("invalid_request", response.Json().GetProperty("error").GetString());

        response = await RawHttp.PostDeclaredLengthAsync(new Uri(Provider.Issuer + "/userinfo"), "application/x-www-form-urlencoded",
            5L * 1024 * 1024, "access_token=");
        Assert.Equal(413, response.StatusCode);
        Assert.Equal("invalid_request", response.Json().GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("GET", null)]
    [InlineData("POST", null)]
    [InlineData("POST", "application/x-www-form-urlencoded")]
    public async Task Userinfo_without_a_token_is_401_with_a_bearer_challenge(string method, string? contentType)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), "/userinfo");
        if (contentType is not null)
        {
            request.Content = new StringContent("scope=openid", Encoding.ASCII, contentType);
        }

        var (response, body) = await SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_token", body.Error());
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        // No credentials at all: the challenge carries no error code (RFC 6750 3.1).
        Assert.DoesNotContain("error", challenge.Parameter ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_bodies_at_the_device_callback_are_invalid_request_and_decide_nothing()
    {
        var authorization = await Provider.AuthorizeAsync();
        Assert.False(authorization.IsError, authorization.Raw);
        var notification = await Provider.LastNotificationAsync();

        (string ContentType, string Body)[] bad =
        [
            ("application/json", "{\"status\":\"approved\""),
            ("application/json", "not json"),
            ("application/json", "[\"approved\"]"),
            ("application/json", "{\"status\":\"maybe\"}"),
            ("application/json", "{\"status\":\"approved\",\"amr\":\"pwd\"}"),
            ("application/json", ""),
            ("text/plain", "status=approved"),
            ("application/x-www-form-urlencoded", "status=approved"),
        ];
        foreach (var (contentType, text) in bad)
        {
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            using var request = new HttpRequestMessage(HttpMethod.Post, notification.CallbackUrl) { Content = content };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", notification.CallbackToken);

            var (response, body) = await SendAsync(request);

            Assert.True(response.StatusCode == HttpStatusCode.BadRequest && body.Error() == "invalid_request",
                $"{contentType} {text}: {(int)response.StatusCode} {body}");
        }

        // None of them decided anything: the device can still approve.
        using var approval = await Provider.Device.ApproveAsync(notification);
        Assert.Equal(HttpStatusCode.NoContent, approval.StatusCode);
    }

    [Fact]
    public async Task A_decision_is_read_as_json_whatever_its_content_type_says()
    {
        // fetch() sends a string body as text/plain; the callback token, not the media type, makes the request trusted.
        foreach (var contentType in new[] { "text/plain;charset=UTF-8", null })
        {
            var authorization = await Provider.AuthorizeAsync();
            Assert.False(authorization.IsError, authorization.Raw);
            var notification = await Provider.LastNotificationAsync();

            var content = new ByteArrayContent("{\"status\":\"denied\"}"u8.ToArray());
            if (contentType is not null)
            {
                content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, notification.CallbackUrl) { Content = content };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", notification.CallbackToken);
            using var response = await Provider.Http.SendAsync(request);

            Assert.True(response.StatusCode == HttpStatusCode.NoContent, $"{contentType}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            var tokens = await Provider.RedeemAsync(authorization.AuthenticationRequestId!);
            Assert.Equal("access_denied", tokens.Error);
        }
    }

    [Fact]
    public async Task An_unforeseen_failure_in_development_is_server_error_without_a_stack_trace()
    {
        await using var provider = await HostedProvider.StartAsync("Development",
            services: services => services.AddSingleton<IUserDirectory, ThrowingUserDirectory>());

        using var request = new HttpRequestMessage(HttpMethod.Post, "/bc-authorize")
        {
            Content = new FormUrlEncodedContent([new("scope", "openid"), new("login_hint", "alice"), new("binding_message", "boom")]),
        };
        request.Headers.Authorization = PollClientBasic();
        using var response = await provider.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.InternalServerError, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("server_error", JsonDocument.Parse(text).RootElement.GetProperty("error").GetString());
        AssertNoExceptionText(text);
        Assert.DoesNotContain(ThrowingUserDirectory.Message, text, StringComparison.Ordinal);
        Assert.DoesNotContain(nameof(ThrowingUserDirectory), text, StringComparison.Ordinal);

        // The failure is in the log, with its stack trace, instead.
        Assert.NotEmpty(provider.Logs.Containing(ThrowingUserDirectory.Message));
    }

    /// <summary>A user directory that fails on every call, as a broken LDAP connection would.</summary>
    private sealed class ThrowingUserDirectory : IUserDirectory
    {
        public const string Message = "the user directory is broken (test)";

        private static ValueTask<T> Fail<T>() => throw new InvalidOperationException(Message);

        public ValueTask<User?> FindByLoginHintAsync(string loginHint, CancellationToken cancellationToken) => Fail<User?>();

        public ValueTask<User?> FindBySubjectAsync(string subject, CancellationToken cancellationToken) => Fail<User?>();

        public ValueTask<User?> FindByEmailAsync(string email, CancellationToken cancellationToken) => Fail<User?>();

        public ValueTask<User?> FindByPhoneNumberAsync(string phoneNumber, CancellationToken cancellationToken) => Fail<User?>();

        public ValueTask<User?> FindByUsernameAsync(string username, CancellationToken cancellationToken) => Fail<User?>();

        public ValueTask<bool> VerifyUserCodeAsync(User user, string userCode, CancellationToken cancellationToken) => Fail<bool>();
    }
}
