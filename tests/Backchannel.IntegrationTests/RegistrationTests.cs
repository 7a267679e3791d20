using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Backchannel.IntegrationTests.Infrastructure;
using static Backchannel.IntegrationTests.Infrastructure.RegistrationRequests;

namespace Backchannel.IntegrationTests;

/// <summary>
/// Dynamic client registration (RFC 7591) and management (RFC 7592) over loopback: register poll and ping clients with an
/// initial access token and run flows with them, read, update (a moved notification endpoint is used at once), delete;
/// every refusal with its status and error. One provider for the class (<see cref="SharedRegistrationProvider"/>).
/// </summary>
public class RegistrationTests(SharedRegistrationProvider shared) : IClassFixture<SharedRegistrationProvider>
{
    private const string InitialToken = SharedRegistrationProvider.InitialAccessToken;

    private TestProvider Provider => shared.Provider;

    private static JsonObject PollMetadata() => new()
    {
        ["client_name"] = "Registered poll client",
        ["backchannel_token_delivery_mode"] = "poll",
        ["grant_types"] = new JsonArray("urn:openid:params:grant-type:ciba", "refresh_token"),
        ["scope"] = "openid profile email",
        ["redirect_uris"] = new JsonArray(),
        ["response_types"] = new JsonArray(),
    };

    private JsonObject PingMetadata(string endpoint) => new()
    {
        ["backchannel_token_delivery_mode"] = "ping",
        ["backchannel_client_notification_endpoint"] = endpoint,
        ["grant_types"] = new JsonArray("urn:openid:params:grant-type:ciba"),
        ["token_endpoint_auth_method"] = "client_secret_post",
    };

    private async Task<JsonElement> RegisteredAsync(JsonObject metadata, string token = InitialToken)
    {
        var (response, body) = await RegisterAsync(Provider.Http, metadata, token);
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToString());
        return body;
    }

    [Fact]
    public async Task A_poll_client_registers_with_an_initial_access_token_and_completes_a_flow()
    {
        var metadata = PollMetadata();
        metadata["software_statement_of_another_world"] = "ignored";
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        var (response, body) = await RegisterAsync(Provider.Http, metadata, InitialToken);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var (clientId, secret, token, uri) = Credentials(body);
        Assert.True(clientId.Length >= 22, clientId);
        Assert.True(secret!.Length >= 43 && token.Length >= 43, "a secret and a registration access token of 256 bits");
        Assert.NotEqual(secret, token);
        Assert.Equal($"{Provider.Issuer}/register/{clientId}", uri);
        Assert.InRange(body.GetProperty("client_id_issued_at").GetInt64(), before, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.Equal(0, body.GetProperty("client_secret_expires_at").GetInt64());
        Assert.Equal("Registered poll client", body.GetProperty("client_name").GetString());
        Assert.Equal("client_secret_basic", body.GetProperty("token_endpoint_auth_method").GetString());
        Assert.Equal("poll", body.GetProperty("backchannel_token_delivery_mode").GetString());
        Assert.Equal(["refresh_token", "urn:openid:params:grant-type:ciba"], body.GetProperty("grant_types").EnumerateArray().Select(g => g.GetString()).Order());
        Assert.Equal(0, body.GetProperty("redirect_uris").GetArrayLength());
        Assert.Equal(0, body.GetProperty("response_types").GetArrayLength());
        Assert.False(body.TryGetProperty("software_statement_of_another_world", out _), "members the provider does not know are ignored, not echoed");

        var tokens = await Provider.CompleteFlowAsync(clientId: clientId, clientSecret: secret);
        await TokenAssertions.ValidateIdTokenAsync(Provider, tokens.IdentityToken!, clientId);
        Assert.NotNull(tokens.RefreshToken);
    }

    [Fact]
    public async Task A_ping_client_registers_is_read_and_a_changed_notification_endpoint_is_used_by_the_next_request()
    {
        // The second initial access token of the list works as well as the first.
        var registered = await RegisteredAsync(PingMetadata(shared.Receiver.Endpoint), SharedRegistrationProvider.OtherInitialAccessToken);
        var (clientId, secret, token, uri) = Credentials(registered);
        await PingFlowAsync(clientId, secret!, shared.Receiver, shared.OtherReceiver);

        var (read, readBody) = await SendAsync(Provider.Http, HttpMethod.Get, uri, token);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("no-store", read.Headers.CacheControl?.ToString());
        Assert.Equal(clientId, readBody.GetProperty("client_id").GetString());
        Assert.Equal(shared.Receiver.Endpoint, readBody.GetProperty("backchannel_client_notification_endpoint").GetString());
        Assert.False(readBody.TryGetProperty("client_secret", out _), "the secret is kept as a hash and never read back");
        Assert.Equal(token, readBody.GetProperty("registration_access_token").GetString());
        Assert.Equal(registered.GetProperty("client_id_issued_at").GetInt64(), readBody.GetProperty("client_id_issued_at").GetInt64());

        var update = UpdateBody(readBody);
        update["backchannel_client_notification_endpoint"] = shared.OtherReceiver.Endpoint;
        var (updated, updatedBody) = await SendAsync(Provider.Http, HttpMethod.Put, uri, token, update.ToJsonString());
        Assert.True(updated.StatusCode == HttpStatusCode.OK, updatedBody.ToString());
        Assert.Equal(shared.OtherReceiver.Endpoint, updatedBody.GetProperty("backchannel_client_notification_endpoint").GetString());
        Assert.False(updatedBody.TryGetProperty("client_secret", out _), "the client keeps its secret");

        // Registration:RotateAccessToken: the update issued a new registration access token and retired the old one.
        var rotated = updatedBody.GetProperty("registration_access_token").GetString()!;
        Assert.NotEqual(token, rotated);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(Provider.Http, HttpMethod.Get, uri, token)).Response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(Provider.Http, HttpMethod.Get, uri, rotated)).Response.StatusCode);

        // No restart: the next request's ping goes to the new endpoint, with the same secret.
        await PingFlowAsync(clientId, secret!, shared.OtherReceiver, shared.Receiver);
    }

    /// <summary>A ping flow of a registered client: request, approval, the ping at <paramref name="expected"/> (none at <paramref name="other"/>), redemption.</summary>
    private async Task PingFlowAsync(string clientId, string secret, NotificationReceiver expected, NotificationReceiver other)
    {
        var notificationToken = TestClients.NewNotificationToken();
        var authorization = await Provider.AuthorizeAsync(clientId: clientId, clientSecret: secret,
            configure: r => r.ClientNotificationToken = notificationToken);
        Assert.False(authorization.IsError, authorization.Raw);
        await Provider.ApproveLastAsync();

        var ping = await expected.ForAsync(authorization.AuthenticationRequestId!);
        Assert.Equal($"Bearer {notificationToken}", ping.Authorization);
        Assert.Equal(0, other.CallsFor(authorization.AuthenticationRequestId!));
        var tokens = await Provider.RedeemAsync(authorization.AuthenticationRequestId!, clientId, secret);
        Assert.False(tokens.IsError, tokens.ErrorDescription);
    }

    [Fact]
    public async Task A_deleted_client_can_no_longer_authenticate_nor_redeem_its_approved_request()
    {
        var (clientId, secret, token, uri) = Credentials(await RegisteredAsync(PollMetadata()));
        var authorization = await Provider.AuthorizeAsync(clientId: clientId, clientSecret: secret!);
        Assert.False(authorization.IsError, authorization.Raw);
        await Provider.ApproveLastAsync();

        var (deleted, deletedBody) = await SendAsync(Provider.Http, HttpMethod.Delete, uri, token);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(JsonValueKind.Undefined, deletedBody.ValueKind);
        var (redeemed, redeemedBody) = await FormRequests.PostAsync(Provider.Http, "/token",
            [new("grant_type", "urn:openid:params:grant-type:ciba"), new("auth_req_id", authorization.AuthenticationRequestId!)], (clientId, secret!));
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), (redeemed.StatusCode, redeemedBody.Error()));
        var (again, againBody) = await FormRequests.PostAsync(Provider.Http, "/bc-authorize",
            [new("scope", "openid"), new("login_hint", "alice")], (clientId, secret!));
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), (again.StatusCode, againBody.Error()));
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(Provider.Http, HttpMethod.Get, uri, token)).Response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(Provider.Http, HttpMethod.Delete, uri, token)).Response.StatusCode);
    }

    [Fact]
    public async Task Registration_without_or_with_a_wrong_initial_access_token_is_401()
    {
        var (missing, missingBody) = await RegisterAsync(Provider.Http, PollMetadata(), initialAccessToken: null);
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal("Bearer", missing.Headers.WwwAuthenticate.Single().Scheme);
        Assert.DoesNotContain("error=", missing.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal("invalid_token", missingBody.Error());

        var (wrong, wrongBody) = await RegisterAsync(Provider.Http, PollMetadata(), InitialToken + "x");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\"", wrong.Headers.WwwAuthenticate.ToString());
        Assert.Equal("invalid_token", wrongBody.Error());

        // Refused before the body is read: a malformed body with a wrong token is still 401.
        Assert.Equal(HttpStatusCode.Unauthorized,
            (await SendAsync(Provider.Http, HttpMethod.Post, "/register", "wrong", "{not json")).Response.StatusCode);
    }

    [Fact]
    public async Task Management_without_or_with_a_wrong_registration_access_token_is_401_whatever_the_client()
    {
        var (clientId, _, token, uri) = Credentials(await RegisteredAsync(PollMetadata()));
        var (_, _, otherToken, _) = Credentials(await RegisteredAsync(PollMetadata()));
        var put = UpdateBody((await SendAsync(Provider.Http, HttpMethod.Get, uri, token)).Body).ToJsonString();

        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Put, HttpMethod.Delete })
        {
            var body = method == HttpMethod.Put ? put : null;
            foreach (var (target, bearer, why) in new (string, string?, string)[]
                     {
                         (uri, null, "no token"),
                         (uri, token + "x", "a wrong token"),
                         (uri, otherToken, "another client's token"),
                         ("/register/no-such-client", token, "an unknown client"),
                         ($"/register/{TestClients.Poll}", token, "a client from the settings"),
                         ($"/register/{TestClients.Poll}", InitialToken, "the initial access token"),
                     })
            {
                var (response, error) = await SendAsync(Provider.Http, method, target, bearer, body);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} with {why}: {(int)response.StatusCode} {error}");
                Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
                Assert.Equal("invalid_token", error.Error());
            }
        }

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(Provider.Http, HttpMethod.Get, uri, token)).Response.StatusCode);
        Assert.Equal(clientId, (await SendAsync(Provider.Http, HttpMethod.Get, uri, token)).Body.GetProperty("client_id").GetString());
    }

    [Fact]
    public async Task An_update_must_name_the_client_and_may_not_choose_its_secret()
    {
        var registered = await RegisteredAsync(PollMetadata());
        var (clientId, secret, token, uri) = Credentials(registered);

        var other = UpdateBody(registered);
        other["client_id"] = "another-client";
        var (wrongId, wrongIdBody) = await SendAsync(Provider.Http, HttpMethod.Put, uri, token, other.ToJsonString());
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (wrongId.StatusCode, wrongIdBody.Error()));

        var missing = UpdateBody(registered);
        missing.Remove("client_id");
        var (noId, noIdBody) = await SendAsync(Provider.Http, HttpMethod.Put, uri, token, missing.ToJsonString());
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (noId.StatusCode, noIdBody.Error()));

        var chosen = UpdateBody(registered);
        chosen["client_secret"] = "a-secret-the-client-chose-itself";
        var (chosenSecret, chosenBody) = await SendAsync(Provider.Http, HttpMethod.Put, uri, token, chosen.ToJsonString());
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_client_metadata"), (chosenSecret.StatusCode, chosenBody.Error()));
        Assert.Contains("client_secret", chosenBody.GetProperty("error_description").GetString(), StringComparison.Ordinal);

        // The refused updates changed nothing: the token still manages the client, whose secret still authenticates it.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(Provider.Http, HttpMethod.Get, uri, token)).Response.StatusCode);
        Assert.False((await Provider.AuthorizeAsync(clientId: clientId, clientSecret: secret!)).IsError);
    }

    [Fact]
    public async Task An_update_to_private_key_jwt_drops_the_secret_and_one_back_issues_a_new_secret()
    {
        var registered = await RegisteredAsync(PollMetadata());
        var (clientId, secret, token, uri) = Credentials(registered);
        var toJwt = UpdateBody(registered);
        toJwt["token_endpoint_auth_method"] = "private_key_jwt";
        toJwt["jwks"] = Jwks(TestClients.JwtKey);

        var (jwt, jwtBody) = await SendAsync(Provider.Http, HttpMethod.Put, uri, token, toJwt.ToJsonString());
        Assert.True(jwt.StatusCode == HttpStatusCode.OK, jwtBody.ToString());
        Assert.False(jwtBody.TryGetProperty("client_secret_expires_at", out _));
        Assert.True((await Provider.AuthorizeAsync(clientId: clientId, clientSecret: secret!)).IsError, "the old secret no longer authenticates");

        token = jwtBody.GetProperty("registration_access_token").GetString()!;
        var back = UpdateBody(jwtBody);
        back["token_endpoint_auth_method"] = "client_secret_basic";
        back.Remove("jwks");
        var (basic, basicBody) = await SendAsync(Provider.Http, HttpMethod.Put, uri, token, back.ToJsonString());
        Assert.True(basic.StatusCode == HttpStatusCode.OK, basicBody.ToString());
        var newSecret = basicBody.GetProperty("client_secret").GetString()!;
        Assert.NotEqual(secret, newSecret);
        Assert.Equal(0, basicBody.GetProperty("client_secret_expires_at").GetInt64());
        Assert.False((await Provider.AuthorizeAsync(clientId: clientId, clientSecret: newSecret)).IsError);
    }

    /// <summary>Each case: a registration body, and the member its error_description must name.</summary>
    public static TheoryData<string, string> InvalidMetadata => new()
    {
        { """{}""", "backchannel_token_delivery_mode" },
        { """{"backchannel_token_delivery_mode":"carrier-pigeon"}""", "backchannel_token_delivery_mode" },
        { """{"backchannel_token_delivery_mode":7}""", "backchannel_token_delivery_mode" },
        { """{"backchannel_token_delivery_mode":"ping"}""", "backchannel_client_notification_endpoint" },
        { """{"backchannel_token_delivery_mode":"push","backchannel_client_notification_endpoint":"ftp://client.example.com/cb"}""", "backchannel_client_notification_endpoint" },
        { """{"backchannel_token_delivery_mode":"ping","backchannel_client_notification_endpoint":"https://client.example.com/cb#part"}""", "backchannel_client_notification_endpoint" },
        { """{"backchannel_token_delivery_mode":"ping","backchannel_client_notification_endpoint":"https://user:pw@client.example.com/cb"}""", "backchannel_client_notification_endpoint" },
        { """{"backchannel_token_delivery_mode":"poll","grant_types":["refresh_token"]}""", "grant_types" },
        { """{"backchannel_token_delivery_mode":"poll","grant_types":["password","urn:openid:params:grant-type:ciba"]}""", "grant_types" },
        { """{"backchannel_token_delivery_mode":"poll","grant_types":"urn:openid:params:grant-type:ciba"}""", "grant_types" },
        { """{"backchannel_token_delivery_mode":"poll","grant_types":[true]}""", "grant_types" },
        { """{"backchannel_token_delivery_mode":"poll","token_endpoint_auth_method":"none"}""", "token_endpoint_auth_method" },
        { """{"backchannel_token_delivery_mode":"poll","token_endpoint_auth_method":"private_key_jwt"}""", "jwks" },
        { """{"backchannel_token_delivery_mode":"poll","backchannel_authentication_request_signing_alg":"HS256"}""", "backchannel_authentication_request_signing_alg" },
        { """{"backchannel_token_delivery_mode":"poll","backchannel_authentication_request_signing_alg":"PS256"}""", "jwks" },
        { """{"backchannel_token_delivery_mode":"poll","backchannel_user_code_parameter":"true"}""", "backchannel_user_code_parameter" },
        { """{"backchannel_token_delivery_mode":"poll","jwks":{"keys":[]}}""", "jwks" },
        { """{"backchannel_token_delivery_mode":"poll","jwks":{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}}""", "jwks" },
        { """{"backchannel_token_delivery_mode":"poll","jwks":[]}""", "jwks" },
        { """{"backchannel_token_delivery_mode":"poll","jwks_uri":"ftp://client.example.com/jwks"}""", "jwks_uri" },
        { """{"backchannel_token_delivery_mode":"poll","scope":"openid admin"}""", "scope" },
        { """{"backchannel_token_delivery_mode":"poll","channels":["carrier-pigeon"]}""", "channels" },
        { """{"backchannel_token_delivery_mode":"poll","id_token_signed_response_alg":"HS256"}""", "id_token_signed_response_alg" },
        { """{"backchannel_token_delivery_mode":"poll","tls_client_auth_subject_dn":"CN=client"}""", "tls_client_auth_subject_dn" },
        { "{\"backchannel_token_delivery_mode\":\"poll\",\"client_name\":\"" + new string('n', 201) + "\"}", "client_name" },
        { """{"backchannel_token_delivery_mode":"poll","redirect_uris":["not a uri"]}""", "redirect_uris" },
        { """{"backchannel_token_delivery_mode":"poll","response_types":["code"]}""", "response_types" },
        { """{"backchannel_token_delivery_mode":"poll","backchannel_allowed_hint_types":["phone"]}""", "backchannel_allowed_hint_types" },
        { """{"backchannel_token_delivery_mode":"poll","backchannel_allowed_hint_types":[]}""", "backchannel_allowed_hint_types" },
        { """{"backchannel_token_delivery_mode":"poll","backchannel_endpoint_login_hint_token_types":["email"]}""", "backchannel_endpoint_login_hint_token_types" },
        { """{"backchannel_token_delivery_mode":"poll","backchannel_default_expiry_seconds":"60"}""", "backchannel_default_expiry_seconds" },
        { """{"backchannel_token_delivery_mode":"poll","backchannel_default_expiry_seconds":0}""", "backchannel_default_expiry_seconds" },
        { """{"backchannel_token_delivery_mode":"poll","backchannel_default_expiry_seconds":1.5}""", "backchannel_default_expiry_seconds" },
        { """{"backchannel_token_delivery_mode":"poll","backchannel_max_expiry_seconds":99999}""", "backchannel_max_expiry_seconds" },
        { """{"backchannel_token_delivery_mode":"poll","backchannel_max_expiry_seconds":1e30}""", "backchannel_max_expiry_seconds" },
        { """{"backchannel_token_delivery_mode":"poll","backchannel_polling_interval_seconds":0}""", "backchannel_polling_interval_seconds" },
        { """{"backchannel_token_delivery_mode":"poll","backchannel_binding_message_required":1}""", "backchannel_binding_message_required" },
        { """{"backchannel_token_delivery_mode":"poll","backchannel_binding_message_pattern":"(a)\\1"}""", "backchannel_binding_message_pattern" },
        { """{"backchannel_token_delivery_mode":"poll","backchannel_binding_message_pattern":"("}""", "backchannel_binding_message_pattern" },
    };

    [Theory]
    [MemberData(nameof(InvalidMetadata))]
    public async Task Invalid_metadata_is_invalid_client_metadata_naming_the_member(string json, string member)
    {
        var (response, body) = await SendAsync(Provider.Http, HttpMethod.Post, "/register", InitialToken, json);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {body}");
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("invalid_client_metadata", body.Error());
        Assert.Contains(member, body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("""{"backchannel_token_delivery_mode":"poll","backchannel_token_delivery_mode":"ping"}""")]
    public async Task A_body_that_is_not_one_json_object_is_invalid_client_metadata(string json)
    {
        var (response, body) = await SendAsync(Provider.Http, HttpMethod.Post, "/register", InitialToken, json);

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_client_metadata"), (response.StatusCode, body.Error()));
    }

    [Fact]
    public async Task A_body_of_another_content_type_or_too_large_is_refused()
    {
        using (var form = new HttpRequestMessage(HttpMethod.Post, "/register") { Content = new FormUrlEncodedContent([new("backchannel_token_delivery_mode", "poll")]) })
        {
            form.Headers.Authorization = new("Bearer", InitialToken);
            using var response = await Provider.Http.SendAsync(form);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("invalid_request", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Error());
        }

        var large = PollMetadata();
        large["padding"] = new string('x', 70 * 1024);
        var (tooLarge, _) = await RegisterAsync(Provider.Http, large, InitialToken);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
    }

    [Fact]
    public async Task A_registered_clients_policy_is_enforced_at_bc_authorize()
    {
        var metadata = PollMetadata();
        metadata["backchannel_allowed_hint_types"] = new JsonArray("login_hint");
        metadata["backchannel_binding_message_required"] = true;
        metadata["backchannel_binding_message_pattern"] = "^Order [0-9]{4}$";
        metadata["backchannel_default_expiry_seconds"] = 30;
        metadata["backchannel_max_expiry_seconds"] = 60;
        metadata["backchannel_polling_interval_seconds"] = 3;
        var registered = await RegisteredAsync(metadata);
        Assert.Equal(30, registered.GetProperty("backchannel_default_expiry_seconds").GetInt32());
        Assert.True(registered.GetProperty("backchannel_binding_message_required").GetBoolean());
        var (clientId, secret, _, _) = Credentials(registered);

        await AssertPolicyAsync(clientId, secret!, "Order 1234", "Order 12", expectedDefaultExpiry: 30, expectedMaxExpiry: 60, expectedInterval: 3);
    }

    [Fact]
    public async Task A_configured_clients_policy_from_the_settings_is_enforced_at_bc_authorize() =>
        await AssertPolicyAsync(SharedRegistrationProvider.PolicyClient, SharedRegistrationProvider.PolicyClientSecret, "TX-4711", "tx 4711",
            expectedDefaultExpiry: 45, expectedMaxExpiry: 90, expectedInterval: 4);

    /// <summary>
    /// A client allowed login_hint only, with binding_message required and patterned, its own expiry default and maximum
    /// and a longer polling interval.
    /// </summary>
    private async Task AssertPolicyAsync(string clientId, string secret, string goodMessage, string badMessage, int expectedDefaultExpiry,
        int expectedMaxExpiry, int expectedInterval)
    {
        async Task<(HttpStatusCode Status, JsonElement Body)> AuthorizeAsync(params (string Name, string Value)[] form)
        {
            var (response, body) = await FormRequests.PostAsync(Provider.Http, "/bc-authorize",
                form.Append(("scope", "openid")).Select(p => KeyValuePair.Create(p.Item1, p.Item2)), (clientId, secret));
            return (response.StatusCode, body);
        }

        var accepted = await AuthorizeAsync(("login_hint", "alice"), ("binding_message", goodMessage));
        Assert.True(accepted.Status == HttpStatusCode.OK, accepted.Body.ToString());
        Assert.Equal(expectedDefaultExpiry, accepted.Body.GetProperty("expires_in").GetInt32());
        Assert.Equal(expectedInterval, accepted.Body.GetProperty("interval").GetInt32());

        var capped = await AuthorizeAsync(("login_hint", "alice"), ("binding_message", goodMessage), ("requested_expiry", "1000"));
        Assert.Equal(expectedMaxExpiry, capped.Body.GetProperty("expires_in").GetInt32());

        foreach (var (form, error, why) in new[]
                 {
                     (new[] { ("login_hint_token", "eyJhbGciOiJub25lIn0.e30."), ("binding_message", goodMessage) }, "unauthorized_client", "login_hint_token"),
                     (new[] { ("id_token_hint", "eyJhbGciOiJub25lIn0.e30."), ("binding_message", goodMessage) }, "unauthorized_client", "id_token_hint"),
                     (new[] { ("login_hint", "alice") }, "invalid_binding_message", "backchannel_binding_message_required"),
                     (new[] { ("login_hint", "alice"), ("binding_message", badMessage) }, "invalid_binding_message", "pattern"),
                 })
        {
            var refused = await AuthorizeAsync(form);
            Assert.True(refused.Status == HttpStatusCode.BadRequest, $"{why}: {refused.Body}");
            Assert.Equal(error, refused.Body.Error());
            Assert.Contains(why, refused.Body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_registered_client_may_send_only_the_login_hint_token_formats_it_registered()
    {
        var metadata = PollMetadata();
        metadata["jwks"] = Jwks(TestClients.JwtKey);
        metadata["backchannel_endpoint_login_hint_token_types"] = new JsonArray("email");
        var registered = await RegisteredAsync(metadata);
        var (clientId, secret, _, _) = Credentials(registered);
        Assert.Equal(["email"], registered.GetProperty("backchannel_endpoint_login_hint_token_types").EnumerateArray().Select(t => t.GetString()));

        async Task<(HttpStatusCode, JsonElement)> AuthorizeAsync(string format, string member, string value)
        {
            var hint = TestJwts.Sign(TestClients.JwtKey, new Dictionary<string, object>
            {
                ["sub_id"] = new Dictionary<string, object> { ["format"] = format, [member] = value },
                ["exp"] = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds(),
            });
            var (response, body) = await FormRequests.PostAsync(Provider.Http, "/bc-authorize",
                [new("scope", "openid"), new("login_hint_token", hint), new("binding_message", "hint token")], (clientId, secret!));
            return (response.StatusCode, body);
        }

        var (accepted, acceptedBody) = await AuthorizeAsync("email", "email", "alice@example.com");
        Assert.True(accepted == HttpStatusCode.OK, acceptedBody.ToString());
        var (refused, refusedBody) = await AuthorizeAsync("username", "username", "alice");
        Assert.Equal((HttpStatusCode.BadRequest, "unauthorized_client"), (refused, refusedBody.Error()));
        Assert.Contains("backchannel_endpoint_login_hint_token_types", refusedBody.GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Discovery_lists_the_registration_endpoint_and_the_login_hint_token_types()
    {
        var document = JsonDocument.Parse(await Provider.Http.GetStringAsync("/.well-known/openid-configuration")).RootElement;

        Assert.Equal(Provider.Issuer + "/register", document.GetProperty("registration_endpoint").GetString());
        Assert.Equal(["email", "phone_number", "opaque", "username", "iss_sub", "account"],
            document.GetProperty("backchannel_endpoint_login_hint_token_types_supported").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task Openid_client_registers_with_an_initial_access_token_and_completes_a_poll_flow()
    {
        Provider.Device.AutoDecision = "approved";
        JsonElement result;
        try
        {
            result = await NodeScript.RunAsync("openid-client", "register-and-flow.mjs", Provider.Issuer, InitialToken, "alice");
        }
        finally
        {
            Provider.Device.AutoDecision = null;
        }

        Assert.True(result.GetProperty("ok").GetBoolean(), result.ToString());
        Assert.Equal("alice-sub", result.GetProperty("sub").GetString());
        var clientId = result.GetProperty("client_id").GetString()!;
        Assert.Equal(clientId, result.GetProperty("aud").GetString());
        Assert.True(result.GetProperty("has_client_secret").GetBoolean());
        Assert.False(result.GetProperty("has_refresh_token").GetBoolean(), "the client registered the CIBA grant only");

        // The client the library registered is there, managed by the token it received.
        var (read, body) = await SendAsync(Provider.Http, HttpMethod.Get, result.GetProperty("registration_client_uri").GetString()!,
            result.GetProperty("registration_access_token").GetString());
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("openid-client interop", body.GetProperty("client_name").GetString());
    }

    /// <summary>A key's public JWK as a registration carries it: {"keys": [...]}.</summary>
    internal static JsonObject Jwks(TestKey key) => new()
    {
        ["keys"] = new JsonArray(new JsonObject
        {
            ["kty"] = key.PublicJwk.Kty,
            ["kid"] = key.PublicJwk.Kid,
            ["use"] = "sig",
            ["crv"] = key.PublicJwk.Crv,
            ["x"] = key.PublicJwk.X,
            ["y"] = key.PublicJwk.Y,
        }),
    };
}
