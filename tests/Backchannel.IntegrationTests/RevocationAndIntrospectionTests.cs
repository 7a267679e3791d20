using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Backchannel.IntegrationTests.Infrastructure;
using Duende.IdentityModel.Client;

namespace Backchannel.IntegrationTests;

/// <summary>
/// Token revocation (RFC 7009) at /revoke and introspection (RFC 7662) at /introspect, over loopback: a client's own
/// access and refresh tokens (active, then revoked), other clients' tokens, unknown and malformed tokens, client
/// authentication, and a client allowed to introspect any token. One provider for the class, on the system clock (the
/// client assertions are made from the real time); the expiry test runs its own provider on a clock it advances.
/// </summary>
public sealed class RevocationAndIntrospectionTests(RevocationAndIntrospectionTests.Fixture shared)
    : IClassFixture<RevocationAndIntrospectionTests.Fixture>
{
    public sealed class Fixture : SharedProvider
    {
        public const string Introspector = "introspector-client";
        public const string IntrospectorSecret = "introspector-client-secret";

        protected override bool FakeClock => false;

        protected override Dictionary<string, string?> Settings() => Introspecting();

        /// <summary>A client allowed to introspect every client's tokens (a resource server's client).</summary>
        public static Dictionary<string, string?> Introspecting() => new()
        {
            ["Backchannel:Clients:8:client_id"] = Introspector,
            ["Backchannel:Clients:8:client_secret"] = IntrospectorSecret,
            ["Backchannel:Clients:8:backchannel_token_delivery_mode"] = "poll",
            ["Backchannel:Clients:8:introspect_any_token"] = "true",
        };
    }

    private static readonly (string Id, string Secret) Poll = (TestClients.Poll, TestClients.PollSecret);
    private static readonly (string Id, string Secret) Other = (TestClients.NoRefresh, TestClients.NoRefreshSecret);
    private static readonly (string Id, string Secret) Introspector = (Fixture.Introspector, Fixture.IntrospectorSecret);

    private TestProvider Provider => shared.Provider;

    private static Task<(HttpResponseMessage Response, JsonElement Body)> RevokeAsync(TestProvider provider, string token,
        (string Id, string Secret) client, string? hint = null) =>
        FormRequests.PostAsync(provider.Http, "/revoke", Form(token, hint), client);

    private static Task<(HttpResponseMessage Response, JsonElement Body)> IntrospectAsync(TestProvider provider, string token,
        (string Id, string Secret) client, string? hint = null) =>
        FormRequests.PostAsync(provider.Http, "/introspect", Form(token, hint), client);

    private static List<KeyValuePair<string, string>> Form(string token, string? hint) =>
        hint is null ? [new("token", token)] : [new("token", token), new("token_type_hint", hint)];

    private Task<(HttpResponseMessage Response, JsonElement Body)> RevokeAsync(string token, (string Id, string Secret) client, string? hint = null) =>
        RevokeAsync(Provider, token, client, hint);

    private Task<(HttpResponseMessage Response, JsonElement Body)> IntrospectAsync(string token, (string Id, string Secret) client, string? hint = null) =>
        IntrospectAsync(Provider, token, client, hint);

    /// <summary>The answer was 200 with Cache-Control: no-store and an empty body (RFC 7009 2.2).</summary>
    private static void AssertRevocationAnswer(HttpResponseMessage response, JsonElement body)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(body.ValueKind == JsonValueKind.Undefined, $"/revoke answered with a body: {body}");
        Assert.True(response.Headers.CacheControl?.NoStore, "Cache-Control: no-store is missing");
    }

    /// <summary>The answer is exactly {"active": false} (RFC 7662 2.2: nothing else for an inactive token).</summary>
    private static void AssertInactive(HttpResponseMessage response, JsonElement body)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore, "Cache-Control: no-store is missing");
        Assert.Equal("""{"active":false}""", body.GetRawText());
    }

    private static void AssertActive(HttpResponseMessage response, JsonElement body)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore, "Cache-Control: no-store is missing");
        Assert.True(body.GetProperty("active").GetBoolean(), $"inactive: {body}");
    }

    private async Task<HttpStatusCode> UserInfoStatusAsync(string accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/userinfo");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await Provider.Http.SendAsync(request);
        return response.StatusCode;
    }

    private Task<Duende.IdentityModel.Client.TokenResponse> RefreshAsync(string refreshToken) =>
        Provider.Http.RequestRefreshTokenAsync(new RefreshTokenRequest
        {
            Address = Provider.TokenEndpoint,
            ClientId = TestClients.Poll,
            ClientSecret = TestClients.PollSecret,
            RefreshToken = refreshToken,
        });

    [Fact]
    public async Task Discovery_advertises_both_endpoints_with_their_client_authentication()
    {
        var document = JsonDocument.Parse(await Provider.Http.GetStringAsync("/.well-known/openid-configuration")).RootElement;

        Assert.Equal(Provider.Issuer + "/revoke", document.GetProperty("revocation_endpoint").GetString());
        Assert.Equal(Provider.Issuer + "/introspect", document.GetProperty("introspection_endpoint").GetString());
        foreach (var endpoint in new[] { "revocation_endpoint", "introspection_endpoint" })
        {
            Assert.Equal(["client_secret_basic", "client_secret_post", "private_key_jwt"],
                document.GetProperty(endpoint + "_auth_methods_supported").EnumerateArray().Select(e => e.GetString()));
            var algorithms = document.GetProperty(endpoint + "_auth_signing_alg_values_supported").EnumerateArray().Select(e => e.GetString()).ToList();
            Assert.Contains("PS256", algorithms);
            Assert.DoesNotContain("HS256", algorithms);
        }
    }

    [Fact]
    public async Task An_access_token_is_active_until_its_client_revokes_it_then_inactive_and_refused_at_userinfo()
    {
        var tokens = await Provider.CompleteFlowAsync();

        var (response, body) = await IntrospectAsync(tokens.AccessToken!, Poll);
        AssertActive(response, body);
        Assert.Equal("alice-sub", body.GetProperty("sub").GetString());
        Assert.Equal(TestClients.Poll, body.GetProperty("client_id").GetString());
        Assert.Equal("openid profile email", body.GetProperty("scope").GetString());
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        Assert.Equal(Provider.Issuer, body.GetProperty("iss").GetString());
        Assert.Equal(Provider.Issuer, body.GetProperty("aud").GetString());
        var accessToken = TestJwts.Read(tokens.AccessToken!);
        Assert.Equal(new DateTimeOffset(accessToken.ValidTo).ToUnixTimeSeconds(), body.GetProperty("exp").GetInt64());
        Assert.Equal(new DateTimeOffset(accessToken.IssuedAt).ToUnixTimeSeconds(), body.GetProperty("iat").GetInt64());
        Assert.False(body.TryGetProperty("cnf", out _));
        Assert.False(body.TryGetProperty("authorization_details", out _));
        Assert.Equal(HttpStatusCode.OK, await UserInfoStatusAsync(tokens.AccessToken!));

        (response, body) = await RevokeAsync(tokens.AccessToken!, Poll, hint: "access_token");
        AssertRevocationAnswer(response, body);

        (response, body) = await IntrospectAsync(tokens.AccessToken!, Poll);
        AssertInactive(response, body);
        Assert.Equal(HttpStatusCode.Unauthorized, await UserInfoStatusAsync(tokens.AccessToken!));

        // Revoking it again is harmless; the refresh token of the grant is not revoked with it.
        (response, body) = await RevokeAsync(tokens.AccessToken!, Poll);
        AssertRevocationAnswer(response, body);
        (response, body) = await IntrospectAsync(tokens.RefreshToken!, Poll);
        AssertActive(response, body);
    }

    [Fact]
    public async Task A_revoked_refresh_token_takes_its_whole_family_and_their_access_tokens_with_it()
    {
        var first = await Provider.CompleteFlowAsync();
        var second = await RefreshAsync(first.RefreshToken!);
        Assert.False(second.IsError, second.ErrorDescription);

        var (response, body) = await IntrospectAsync(second.RefreshToken!, Poll, hint: "refresh_token");
        AssertActive(response, body);
        Assert.Equal("refresh_token", body.GetProperty("token_type").GetString());
        Assert.Equal("alice-sub", body.GetProperty("sub").GetString());
        Assert.Equal(TestClients.Poll, body.GetProperty("client_id").GetString());
        Assert.Equal("openid profile email", body.GetProperty("scope").GetString());
        Assert.Equal(Provider.Issuer, body.GetProperty("iss").GetString());
        Assert.True(body.GetProperty("exp").GetInt64() > body.GetProperty("iat").GetInt64());

        // The rotated (consumed) token is no longer active.
        (response, body) = await IntrospectAsync(first.RefreshToken!, Poll);
        AssertInactive(response, body);

        // A hint that names the other kind does not stop the provider from finding the token.
        (response, body) = await RevokeAsync(second.RefreshToken!, Poll, hint: "access_token");
        AssertRevocationAnswer(response, body);

        foreach (var token in new[] { second.RefreshToken!, second.AccessToken!, first.AccessToken! })
        {
            (response, body) = await IntrospectAsync(token, Poll);
            AssertInactive(response, body);
        }

        Assert.Equal("invalid_grant", (await RefreshAsync(second.RefreshToken!)).Error);
        Assert.Equal(HttpStatusCode.Unauthorized, await UserInfoStatusAsync(first.AccessToken!));
        Assert.Equal(HttpStatusCode.Unauthorized, await UserInfoStatusAsync(second.AccessToken!));
    }

    [Fact]
    public async Task Another_clients_tokens_are_not_revoked_and_look_inactive()
    {
        var tokens = await Provider.CompleteFlowAsync();

        foreach (var token in new[] { tokens.AccessToken!, tokens.RefreshToken! })
        {
            var (response, body) = await RevokeAsync(token, Other);
            AssertRevocationAnswer(response, body);
            (response, body) = await IntrospectAsync(token, Other);
            AssertInactive(response, body);

            // Nothing happened to them.
            (response, body) = await IntrospectAsync(token, Poll);
            AssertActive(response, body);
        }

        Assert.Equal(HttpStatusCode.OK, await UserInfoStatusAsync(tokens.AccessToken!));
        var refreshed = await RefreshAsync(tokens.RefreshToken!);
        Assert.False(refreshed.IsError, refreshed.ErrorDescription);
    }

    [Fact]
    public async Task Unknown_and_malformed_tokens_are_answered_200_and_inactive()
    {
        var forged = TestJwts.Sign(TestKey.Rsa("RS256"), new Dictionary<string, object>
        {
            ["iss"] = Provider.Issuer,
            ["aud"] = Provider.Issuer,
            ["sub"] = "alice-sub",
            ["client_id"] = TestClients.Poll,
            ["scope"] = "openid",
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["exp"] = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds(),
        }, "at+jwt");
        string[] tokens =
        [
            Backchannel.Protocol.RandomIdentifiers.NewRefreshToken(),
            "not-a-token",
            "a.b.c",
            "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZS1zdWIifQ.",
            forged,
            new string('x', 20_000),
            "ünïcödé ✓",
        ];

        foreach (var token in tokens)
        {
            var (response, body) = await RevokeAsync(token, Poll);
            AssertRevocationAnswer(response, body);
            (response, body) = await IntrospectAsync(token, Poll);
            AssertInactive(response, body);
        }
    }

    [Theory]
    [InlineData("/revoke")]
    [InlineData("/introspect")]
    public async Task A_request_without_a_token_is_invalid_request(string path)
    {
        var (response, body) = await FormRequests.PostAsync(Provider.Http, path, [new("token_type_hint", "access_token")], Poll);

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (response.StatusCode, body.Error()));
        Assert.Contains("token is required", body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/revoke")]
    [InlineData("/introspect")]
    public async Task Missing_or_wrong_client_authentication_is_401_invalid_client(string path)
    {
        var tokens = await Provider.CompleteFlowAsync();
        var token = tokens.AccessToken!;

        var (response, body) = await FormRequests.PostAsync(Provider.Http, path, [new("token", token)]);
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), (response.StatusCode, body.Error()));

        (response, body) = await FormRequests.PostAsync(Provider.Http, path, [new("token", token), new("client_id", TestClients.Poll)]);
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), (response.StatusCode, body.Error()));

        (response, body) = await FormRequests.PostAsync(Provider.Http, path, [new("token", token)], (TestClients.Poll, "wrong-secret"));
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), (response.StatusCode, body.Error()));
        Assert.Equal("Basic", Assert.Single(response.Headers.WwwAuthenticate).Scheme);

        (response, body) = await FormRequests.PostAsync(Provider.Http, path, [new("token", token)], ("no-such-client", "secret"));
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), (response.StatusCode, body.Error()));

        // None of these revoked anything.
        (response, body) = await IntrospectAsync(token, Poll);
        AssertActive(response, body);
    }

    [Fact]
    public async Task A_client_secret_may_also_come_in_the_form()
    {
        var tokens = await Provider.CompleteFlowAsync();

        var (response, body) = await FormRequests.PostAsync(Provider.Http, "/introspect",
            [new("token", tokens.AccessToken!), new("client_id", TestClients.Poll), new("client_secret", TestClients.PollSecret)]);
        AssertActive(response, body);

        (response, body) = await FormRequests.PostAsync(Provider.Http, "/revoke",
            [new("token", tokens.AccessToken!), new("client_id", TestClients.Poll), new("client_secret", TestClients.PollSecret)]);
        AssertRevocationAnswer(response, body);
        (response, body) = await IntrospectAsync(tokens.AccessToken!, Poll);
        AssertInactive(response, body);
    }

    [Theory]
    [InlineData("/revoke")]
    [InlineData("/introspect")]
    public async Task A_private_key_jwt_client_may_name_the_endpoint_itself_as_the_assertion_audience(string path)
    {
        async Task<HttpResponseMessage> WithAudienceAsync(string audience)
        {
            var (response, _) = await FormRequests.PostAsync(Provider.Http, path,
            [
                new("token", Backchannel.Protocol.RandomIdentifiers.NewRefreshToken()),
                new("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                new("client_assertion", TestJwts.ClientAssertion(TestClients.JwtKey, TestClients.Jwt, audience)),
            ]);
            return response;
        }

        Assert.Equal(HttpStatusCode.OK, (await WithAudienceAsync(Provider.Issuer + path)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await WithAudienceAsync(Provider.Issuer)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await WithAudienceAsync(Provider.Issuer + "/userinfo")).StatusCode);
    }

    [Fact]
    public async Task A_client_allowed_to_introspect_any_token_sees_other_clients_tokens_but_cannot_revoke_them()
    {
        var tokens = await Provider.CompleteFlowAsync();

        foreach (var token in new[] { tokens.AccessToken!, tokens.RefreshToken! })
        {
            var (response, body) = await IntrospectAsync(token, Introspector);
            AssertActive(response, body);
            Assert.Equal(TestClients.Poll, body.GetProperty("client_id").GetString());
            Assert.Equal("alice-sub", body.GetProperty("sub").GetString());

            (response, body) = await RevokeAsync(token, Introspector);
            AssertRevocationAnswer(response, body);
            (response, body) = await IntrospectAsync(token, Poll);
            AssertActive(response, body);
        }

        // Once its client revokes it, it is inactive for the introspector too.
        await RevokeAsync(tokens.AccessToken!, Poll);
        var (revokedResponse, revokedBody) = await IntrospectAsync(tokens.AccessToken!, Introspector);
        AssertInactive(revokedResponse, revokedBody);
    }

    [Fact]
    public async Task Authorization_details_of_the_request_are_in_the_access_token_and_shown_by_introspection()
    {
        const string details = """[{"type":"payment_initiation","instructedAmount":{"currency":"EUR","amount":"123.50"},"creditorName":"Merchant A"}]""";
        var tokens = await Provider.CompleteFlowAsync(configure: request => request.Parameters.Add("authorization_details", details));

        using (var payload = JsonDocument.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(TestJwts.Read(tokens.AccessToken!).EncodedPayload)))
        {
            Assert.Equal(details, payload.RootElement.GetProperty("authorization_details").GetRawText());
        }

        foreach (var token in new[] { tokens.AccessToken!, tokens.RefreshToken! })
        {
            var (response, body) = await IntrospectAsync(token, Poll);
            AssertActive(response, body);
            Assert.Equal(details, body.GetProperty("authorization_details").GetRawText());
        }

        // The grant keeps them when refreshed.
        var refreshed = await RefreshAsync(tokens.RefreshToken!);
        Assert.False(refreshed.IsError, refreshed.ErrorDescription);
        var (refreshedResponse, refreshedBody) = await IntrospectAsync(refreshed.AccessToken!, Poll);
        AssertActive(refreshedResponse, refreshedBody);
        Assert.Equal(details, refreshedBody.GetProperty("authorization_details").GetRawText());
    }

    [Fact]
    public async Task A_client_library_introspects_and_revokes_as_the_rfcs_describe()
    {
        var tokens = await Provider.CompleteFlowAsync();

        var introspection = await Provider.Http.IntrospectTokenAsync(new TokenIntrospectionRequest
        {
            Address = Provider.Issuer + "/introspect",
            ClientId = TestClients.Poll,
            ClientSecret = TestClients.PollSecret,
            Token = tokens.AccessToken!,
            TokenTypeHint = "access_token",
        });
        Assert.False(introspection.IsError, introspection.Error);
        Assert.True(introspection.IsActive);
        Assert.Contains(introspection.Claims, c => c.Type == "sub" && c.Value == "alice-sub");

        var revocation = await Provider.Http.RevokeTokenAsync(new TokenRevocationRequest
        {
            Address = Provider.Issuer + "/revoke",
            ClientId = TestClients.Poll,
            ClientSecret = TestClients.PollSecret,
            Token = tokens.RefreshToken!,
            TokenTypeHint = "refresh_token",
        });
        Assert.False(revocation.IsError, revocation.Error);

        introspection = await Provider.Http.IntrospectTokenAsync(new TokenIntrospectionRequest
        {
            Address = Provider.Issuer + "/introspect",
            ClientId = TestClients.Poll,
            ClientSecret = TestClients.PollSecret,
            Token = tokens.RefreshToken!,
        });
        Assert.False(introspection.IsError, introspection.Error);
        Assert.False(introspection.IsActive);
    }

    [Fact]
    public async Task Expired_tokens_are_inactive()
    {
        var clock = new TestClock();
        await using var provider = await TestProvider.StartAsync(new Dictionary<string, string?>
        {
            ["Backchannel:Tokens:AccessTokenLifetimeSeconds"] = "300",
            ["Backchannel:Tokens:RefreshTokenLifetimeSeconds"] = "3600",
        }, time: clock);
        var tokens = await provider.CompleteFlowAsync();
        var (response, body) = await IntrospectAsync(provider, tokens.AccessToken!, Poll);
        AssertActive(response, body);

        // Past the access token's lifetime and the clock skew allowed (30 s).
        await clock.StepAsync(TimeSpan.FromSeconds(300 + 31));
        (response, body) = await IntrospectAsync(provider, tokens.AccessToken!, Poll);
        AssertInactive(response, body);
        (response, body) = await IntrospectAsync(provider, tokens.RefreshToken!, Poll);
        AssertActive(response, body);

        await clock.StepAsync(TimeSpan.FromSeconds(3600));
        (response, body) = await IntrospectAsync(provider, tokens.RefreshToken!, Poll);
        AssertInactive(response, body);

        // Revoking an expired token is answered like any other.
        (response, body) = await RevokeAsync(provider, tokens.AccessToken!, Poll);
        AssertRevocationAnswer(response, body);
    }
}
