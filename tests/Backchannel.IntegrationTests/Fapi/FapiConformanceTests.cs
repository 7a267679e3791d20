using System.Net;
using System.Text.Json.Nodes;
using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests.Fapi;

/// <summary>
/// The negative modules of the conformance suite's FAPI-CIBA plan (private_key_jwt variant), each with its status and
/// error, against FAPI clients: the request-object family (Fapi1Ciba), unsigned requests, client assertions, the token
/// endpoint's checks, binding_message, ping answers, and what registration refuses under a FAPI profile.
/// </summary>
public class FapiConformanceTests(SharedFapiProvider shared) : IClassFixture<SharedFapiProvider>
{
    private TestProvider Provider => shared.Provider;

    private FapiTestClient Fapi2Poll => new(Provider, SharedFapiProvider.Fapi2Poll, SharedFapiProvider.Fapi2PollKey);

    private FapiTestClient Fapi2Ping => new(Provider, SharedFapiProvider.Fapi2Ping, SharedFapiProvider.Fapi2PingKey);

    private FapiTestClient Fapi1Poll => new(Provider, SharedFapiProvider.Fapi1Poll, SharedFapiProvider.Fapi1PollKey);

    /// <summary>
    /// fapi-ciba-id1, the full flow: requested_expiry 300 as a string, a 1024-character client_notification_token, the acr
    /// requested, the ping, the tokens, and the auth_req_id redeemed once (a replay is invalid_grant).
    /// </summary>
    [Fact]
    public async Task The_full_fapi_ciba_flow_honours_requested_expiry_acr_and_a_long_notification_token_and_redeems_once()
    {
        var client = Fapi2Ping;
        var notificationToken = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(System.Security.Cryptography.RandomNumberGenerator.GetBytes(768));
        Assert.Equal(1024, notificationToken.Length);
        var (response, body, bindingMessage) = await client.AuthorizeSignedAsync(c =>
        {
            c["requested_expiry"] = "300";
            c["client_notification_token"] = notificationToken;
            c["acr_values"] = "urn:example:acr:strong";
        });
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        Assert.Equal(300, body.GetProperty("expires_in").GetInt32());
        var authReqId = body.GetProperty("auth_req_id").GetString()!;
        using (var approval = await Provider.Device.ApproveAsync(await Provider.Device.ForAsync(bindingMessage)))
        {
            Assert.Equal(HttpStatusCode.NoContent, approval.StatusCode);
        }

        Assert.Equal("Bearer " + notificationToken, (await shared.Receiver.ForAsync(authReqId)).Authorization);
        var (redeemed, tokens) = await client.RedeemAsync(authReqId);
        Assert.True(redeemed.StatusCode == HttpStatusCode.OK, tokens.ToString());
        Assert.Equal("urn:example:acr:strong", TestJwts.Read(tokens.GetProperty("id_token").GetString()!).GetPayloadValue<string>("acr"));

        var (replay, error) = await client.RedeemAsync(authReqId);
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_grant"), (replay.StatusCode, error.Error()));
    }

    /// <summary>fapi-ciba-id1-user-rejects-authentication: access_denied.</summary>
    [Fact]
    public async Task A_request_the_user_rejects_is_access_denied()
    {
        var client = Fapi2Poll;
        var (response, body, bindingMessage) = await client.AuthorizeSignedAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using (var denial = await Provider.Device.DenyAsync(await Provider.Device.ForAsync(bindingMessage)))
        {
            Assert.Equal(HttpStatusCode.NoContent, denial.StatusCode);
        }

        var (denied, error) = await client.RedeemAsync(body.GetProperty("auth_req_id").GetString()!);
        Assert.Equal((HttpStatusCode.BadRequest, "access_denied"), (denied.StatusCode, error.Error()));
    }

    public static TheoryData<string> BadRequestObjects => new()
    {
        "missing-aud", "bad-aud", "missing-iss", "bad-iss", "missing-exp", "expired-exp", "exp-70-min-future", "missing-iat",
        "missing-nbf", "nbf-10-min-future", "nbf-70-min-past", "missing-jti", "alg-none", "bad-signature", "rs256",
        "signed-by-other-client", "multiple-hints", "lifetime-over-60-min",
    };

    /// <summary>The request-object modules (fapi-ciba-id1-ensure-request-object-*): 400 invalid_request, and nobody is asked.</summary>
    [Theory]
    [MemberData(nameof(BadRequestObjects))]
    public async Task A_fapi1_request_object_failing_a_module_is_invalid_request(string module)
    {
        var client = Fapi1Poll;
        var now = DateTimeOffset.UtcNow;
        var (response, body, bindingMessage) = module switch
        {
            "missing-aud" => await client.AuthorizeSignedAsync(c => c.Remove("aud")),
            "bad-aud" => await client.AuthorizeSignedAsync(c => c["aud"] = "https://op.elsewhere.example"),
            "missing-iss" => await client.AuthorizeSignedAsync(c => c.Remove("iss")),
            "bad-iss" => await client.AuthorizeSignedAsync(c => c["iss"] = SharedFapiProvider.Fapi1Other),
            "missing-exp" => await client.AuthorizeSignedAsync(c => c.Remove("exp")),
            "expired-exp" => await client.AuthorizeSignedAsync(c => c["exp"] = now.AddMinutes(-5).ToUnixTimeSeconds()),
            "exp-70-min-future" => await client.AuthorizeSignedAsync(c => c["exp"] = now.AddMinutes(70).ToUnixTimeSeconds()),
            "missing-iat" => await client.AuthorizeSignedAsync(c => c.Remove("iat")),
            "missing-nbf" => await client.AuthorizeSignedAsync(c => c.Remove("nbf")),
            "nbf-10-min-future" => await client.AuthorizeSignedAsync(c => c["nbf"] = now.AddMinutes(10).ToUnixTimeSeconds()),
            "nbf-70-min-past" => await client.AuthorizeSignedAsync(c => c["nbf"] = now.AddMinutes(-70).ToUnixTimeSeconds()),
            "missing-jti" => await client.AuthorizeSignedAsync(c => c.Remove("jti")),
            "alg-none" => await Unsigned(client),
            "bad-signature" => await Spoiled(client),
            "rs256" => await client.AuthorizeSignedAsync(signingKey: TestKey.FromSecurityKey(client.Key, "RS256")),
            "signed-by-other-client" => await client.AuthorizeSignedAsync(signingKey: SharedFapiProvider.Fapi1OtherKey),
            "multiple-hints" => await client.AuthorizeSignedAsync(c => c["login_hint_token"] = "x.y.z"),
            "lifetime-over-60-min" => await client.AuthorizeSignedAsync(c =>
            {
                c["nbf"] = now.AddMinutes(-10).ToUnixTimeSeconds();
                c["exp"] = now.AddMinutes(55).ToUnixTimeSeconds();
            }),
            _ => throw new ArgumentOutOfRangeException(nameof(module)),
        };

        Assert.True((response.StatusCode, body.Error()) == (HttpStatusCode.BadRequest, "invalid_request"), body.ToString());
        Assert.Equal(0, Provider.Device.CallsFor(bindingMessage));
    }

    private static async Task<(HttpResponseMessage, System.Text.Json.JsonElement, string)> Unsigned(FapiTestClient client)
    {
        var bindingMessage = "fapi " + Guid.NewGuid().ToString("N")[..8];
        var (response, body) = await client.PostAsync("/bc-authorize", [("request", TestJwts.Unsigned(client.RequestClaims(bindingMessage)))]);
        return (response, body, bindingMessage);
    }

    private static async Task<(HttpResponseMessage, System.Text.Json.JsonElement, string)> Spoiled(FapiTestClient client)
    {
        var bindingMessage = "fapi " + Guid.NewGuid().ToString("N")[..8];
        var requestObject = client.RequestObject(bindingMessage);
        var (response, body) = await client.PostAsync("/bc-authorize", [("request", requestObject[..^6] + (requestObject[^6] == 'A' ? "BBBBBB" : "AAAAAA"))]);
        return (response, body, bindingMessage);
    }

    [Fact]
    public async Task A_fapi1_request_object_within_the_time_rules_is_accepted_once()
    {
        var client = Fapi1Poll;
        var now = DateTimeOffset.UtcNow;
        var bindingMessage = "fapi " + Guid.NewGuid().ToString("N")[..8];

        // nbf 50 minutes old and a lifetime of exactly 60 minutes: the edges FAPI-CIBA allows.
        var requestObject = client.RequestObject(bindingMessage, c =>
        {
            c["nbf"] = now.AddMinutes(-50).ToUnixTimeSeconds();
            c["exp"] = now.AddMinutes(10).ToUnixTimeSeconds();
        });
        var (accepted, body) = await client.PostAsync("/bc-authorize", [("request", requestObject)]);
        Assert.True(accepted.StatusCode == HttpStatusCode.OK, body.ToString());

        var (replay, error) = await client.PostAsync("/bc-authorize", [("request", requestObject)]);
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (replay.StatusCode, error.Error()));
    }

    [Fact]
    public async Task An_unsigned_request_of_a_fapi1_client_is_invalid_request()
    {
        var (response, body, bindingMessage) = await Fapi1Poll.AuthorizeAsync();

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (response.StatusCode, body.Error()));
        Assert.Equal(0, Provider.Device.CallsFor(bindingMessage));
    }

    [Fact]
    public async Task An_rs256_request_object_of_a_fapi2_client_is_invalid_request()
    {
        var client = Fapi2Ping;
        var (response, body, _) = await client.AuthorizeSignedAsync(c => c["client_notification_token"] = TestClients.NewNotificationToken(),
            signingKey: TestKey.FromSecurityKey(client.Key, "RS256"));

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (response.StatusCode, body.Error()));
        Assert.Contains("Fapi2Ciba accepts PS256 or ES256 only", body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Multiple_hints_in_a_fapi2_form_request_are_invalid_request()
    {
        var (response, body, _) = await Fapi2Poll.AuthorizeAsync(("id_token_hint", "x.y.z"));

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (response.StatusCode, body.Error()));
    }

    /// <summary>fapi-ciba-id1-ensure-client-assertion-with-rs256-fails, at the backchannel and the token endpoints.</summary>
    [Theory]
    [InlineData("/bc-authorize")]
    [InlineData("/token")]
    public async Task An_rs256_client_assertion_is_invalid_client(string path)
    {
        var client = Fapi2Ping;
        var rs256 = client.Assertion(signingKey: TestKey.FromSecurityKey(client.Key, "RS256"));
        var (response, body) = path == "/token"
            ? await client.RedeemAsync(await client.ApprovedAsync(signed: true, ("client_notification_token", TestClients.NewNotificationToken())), assertion: rs256)
            : await client.PostAsync(path, [("scope", "openid"), ("login_hint", "alice"), ("binding_message", "rs256 assertion"),
                ("client_notification_token", TestClients.NewNotificationToken())], rs256);

        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), (response.StatusCode, body.Error()));
    }

    [Fact]
    public async Task A_request_without_a_client_assertion_is_invalid_client()
    {
        var (response, body) = await Fapi2Poll.PostAsync("/bc-authorize",
            [("client_id", SharedFapiProvider.Fapi2Poll), ("scope", "openid"), ("login_hint", "alice"), ("binding_message", "no assertion")], assertion: "");

        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), (response.StatusCode, body.Error()));
    }

    /// <summary>different-client-id-and-issuer and wrong-client-id, in their private_key_jwt form.</summary>
    [Fact]
    public async Task A_client_id_that_is_not_the_assertions_issuer_and_an_assertion_signed_by_another_client_are_invalid_client()
    {
        var client = Fapi2Poll;
        var otherClients = new FapiTestClient(Provider, SharedFapiProvider.Fapi1Other, SharedFapiProvider.Fapi1OtherKey).Assertion();
        var (mismatch, body) = await client.PostAsync("/bc-authorize",
            [("client_id", SharedFapiProvider.Fapi2Poll), ("scope", "openid"), ("login_hint", "alice"), ("binding_message", "mismatch")], otherClients);
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), (mismatch.StatusCode, body.Error()));

        var (wrongKey, wrongKeyBody) = await client.PostAsync("/bc-authorize",
            [("scope", "openid"), ("login_hint", "alice"), ("binding_message", "wrong key")], client.Assertion(signingKey: SharedFapiProvider.Fapi1OtherKey));
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), (wrongKey.StatusCode, wrongKeyBody.Error()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("/token")]
    public async Task An_assertion_whose_aud_is_the_issuer_or_the_token_endpoint_redeems(string audiencePath)
    {
        var client = Fapi2Poll;
        var (response, body) = await client.RedeemAsync(await client.ApprovedAsync(signed: false), assertion: client.Assertion(Provider.Issuer + audiencePath));

        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
    }

    [Fact]
    public async Task A_replayed_client_assertion_is_invalid_client()
    {
        var client = Fapi2Poll;
        var assertion = client.Assertion();
        var (first, _) = await client.PostAsync("/bc-authorize", [("scope", "openid"), ("login_hint", "alice"), ("binding_message", "jti once")], assertion);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        var (replay, body) = await client.PostAsync("/bc-authorize", [("scope", "openid"), ("login_hint", "alice"), ("binding_message", "jti twice")], assertion);
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), (replay.StatusCode, body.Error()));
    }

    [Fact]
    public async Task A_wrong_or_another_clients_auth_req_id_is_invalid_grant()
    {
        var (unknown, body) = await Fapi2Poll.RedeemAsync("not-an-auth-req-id-" + Guid.NewGuid().ToString("N"));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_grant"), (unknown.StatusCode, body.Error()));

        var othersRequest = await Fapi2Ping.ApprovedAsync(signed: true, ("client_notification_token", TestClients.NewNotificationToken()));
        var (foreign, foreignBody) = await Fapi2Poll.RedeemAsync(othersRequest);
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_grant"), (foreign.StatusCode, foreignBody.Error()));
    }

    [Fact]
    public async Task Another_clients_refresh_token_is_invalid_grant()
    {
        var owner = Fapi2Poll;
        var (_, tokens) = await owner.RedeemAsync(await owner.ApprovedAsync(signed: false));
        var refreshToken = tokens.GetProperty("refresh_token").GetString()!;

        var (response, body) = await Fapi2Ping.PostAsync("/token", [("grant_type", "refresh_token"), ("refresh_token", refreshToken)], dpop: true);

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_grant"), (response.StatusCode, body.Error()));
    }

    [Fact]
    public async Task A_fapi_request_needs_a_binding_message_unless_its_request_context_is_a_unique_context()
    {
        var client = Fapi2Poll;
        var (missing, body) = await client.PostAsync("/bc-authorize", [("scope", "openid"), ("login_hint", "alice")]);
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_binding_message"), (missing.StatusCode, body.Error()));

        (missing, body) = await client.PostAsync("/bc-authorize", [("scope", "openid"), ("login_hint", "alice"), ("request_context", "{}")]);
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_binding_message"), (missing.StatusCode, body.Error()));

        var (withContext, accepted) = await client.PostAsync("/bc-authorize",
            [("scope", "openid"), ("login_hint", "alice"), ("request_context", $$"""{"txn":"{{Guid.NewGuid():N}}"}""")]);
        Assert.True(withContext.StatusCode == HttpStatusCode.OK, accepted.ToString());

        // In a request object too, where request_context may be a JSON object.
        var (signed, signedBody, _) = await Fapi1Poll.AuthorizeSignedAsync(c =>
        {
            c.Remove("binding_message");
            c["request_context"] = new Dictionary<string, object> { ["txn"] = Guid.NewGuid().ToString("N") };
        });
        Assert.True(signed.StatusCode == HttpStatusCode.OK, signedBody.ToString());
    }

    /// <summary>fapi-ciba-id1-ping-notification-endpoint-returns-a-body / -401 / -403: the flow completes; a 4xx is not retried.</summary>
    [Theory]
    [InlineData(200)]
    [InlineData(401)]
    [InlineData(403)]
    public async Task A_ping_answered_200_with_a_body_401_or_403_lets_the_flow_complete(int status)
    {
        var client = Fapi2Ping;
        var (response, body, bindingMessage) = await client.AuthorizeSignedAsync(c => c["client_notification_token"] = TestClients.NewNotificationToken());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var authReqId = body.GetProperty("auth_req_id").GetString()!;
        shared.Receiver.AnswerFor(authReqId, status);
        using (var approval = await Provider.Device.ApproveAsync(await Provider.Device.ForAsync(bindingMessage)))
        {
            Assert.Equal(HttpStatusCode.NoContent, approval.StatusCode);
        }

        Assert.Equal(authReqId, (await shared.Receiver.ForAsync(authReqId)).AuthReqId);
        var (tokenResponse, tokens) = await client.RedeemAsync(authReqId);
        Assert.True(tokenResponse.StatusCode == HttpStatusCode.OK, tokens.ToString());
        Assert.False(await shared.Receiver.AnyMoreForWithinAsync(authReqId, TimeSpan.FromSeconds(1), clock: null, TimeSpan.Zero),
            "an answered ping is not sent again");
    }

    [Fact]
    public async Task A_ping_answered_301_is_not_followed()
    {
        var client = Fapi2Ping;
        var (response, body, bindingMessage) = await client.AuthorizeSignedAsync(c => c["client_notification_token"] = TestClients.NewNotificationToken());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var authReqId = body.GetProperty("auth_req_id").GetString()!;
        shared.Receiver.AnswerFor(authReqId, 301);
        using (var approval = await Provider.Device.ApproveAsync(await Provider.Device.ForAsync(bindingMessage)))
        {
            Assert.Equal(HttpStatusCode.NoContent, approval.StatusCode);
        }

        Assert.Equal(NotificationReceiver.Path, (await shared.Receiver.ForAsync(authReqId)).Path);
        Assert.False(await shared.Receiver.AnyMoreForWithinAsync(authReqId, TimeSpan.FromSeconds(1), clock: null, TimeSpan.Zero));
        Assert.DoesNotContain(shared.Receiver.All, call => call.Path == NotificationReceiver.RedirectTargetPath && call.AuthReqId == authReqId);
        Assert.Equal(HttpStatusCode.OK, (await client.RedeemAsync(authReqId)).Response.StatusCode);
    }

    public static TheoryData<string, string> RefusedRegistrations => new()
    {
        { """{"backchannel_token_delivery_mode":"poll"}""", "Fapi2Ciba allows only confidential clients authenticating with private_key_jwt" },
        { """{"token_endpoint_auth_method":"private_key_jwt","jwks":JWKS,"backchannel_token_delivery_mode":"push","backchannel_client_notification_endpoint":"ENDPOINT"}""", "Fapi2Ciba does not allow the push mode" },
        { """{"token_endpoint_auth_method":"private_key_jwt","token_endpoint_auth_signing_alg":"RS256","jwks":JWKS,"backchannel_token_delivery_mode":"poll"}""", "token_endpoint_auth_signing_alg 'RS256' is not allowed under Fapi2Ciba" },
        { """{"fapi_profile":"Fapi1Ciba","token_endpoint_auth_method":"private_key_jwt","jwks":JWKS,"backchannel_token_delivery_mode":"poll"}""", "Fapi1Ciba requires certificate-bound access tokens" },
        { """{"fapi_profile":"None","token_endpoint_auth_method":"private_key_jwt","jwks":JWKS,"backchannel_token_delivery_mode":"poll"}""", "fapi_profile None cannot be registered" },
        { """{"fapi_profile":"Fapi3","token_endpoint_auth_method":"private_key_jwt","jwks":JWKS,"backchannel_token_delivery_mode":"poll"}""", "fapi_profile 'Fapi3' is unknown" },
        { """{"token_endpoint_auth_method":"private_key_jwt","jwks":SHORTRSA,"backchannel_token_delivery_mode":"poll"}""", "an RSA key shorter than 2048 bits" },
    };

    [Theory]
    [MemberData(nameof(RefusedRegistrations))]
    public async Task Registration_under_the_fapi_profile_refuses_what_fapi_forbids(string metadata, string reason)
    {
        using var shortRsa = System.Security.Cryptography.RSA.Create(1024);
        var shortKey = Microsoft.IdentityModel.Tokens.JsonWebKeyConverter.ConvertFromRSASecurityKey(
            new Microsoft.IdentityModel.Tokens.RsaSecurityKey(shortRsa.ExportParameters(false)));
        var json = metadata.Replace("JWKS", FapiTestClient.Jwks(TestKey.EllipticCurve()).ToJsonString(), StringComparison.Ordinal)
            .Replace("SHORTRSA", $$"""{"keys":[{"kty":"RSA","n":"{{shortKey.N}}","e":"{{shortKey.E}}"}]}""", StringComparison.Ordinal)
            .Replace("ENDPOINT", shared.Receiver.Endpoint, StringComparison.Ordinal);

        var (response, body) = await RegistrationRequests.RegisterAsync(Provider.Http, JsonNode.Parse(json)!, initialAccessToken: null);

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_client_metadata"), (response.StatusCode, body.Error()));
        Assert.Contains(reason, body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }
}
