using System.Net;
using System.Text.Json.Nodes;
using Backchannel.IntegrationTests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Backchannel.IntegrationTests.Fapi;

/// <summary>
/// FAPI-CIBA clients with private_key_jwt, statically configured and dynamically registered, in the poll and ping modes,
/// complete the flow under Fapi2Ciba with DPoP-bound access tokens; a registered Fapi1Ciba client must sign its requests.
/// The Fapi1Ciba flows over mutual TLS (certificate-bound tokens) are <see cref="FapiMtlsTests"/>.
/// </summary>
public class FapiFlowTests(SharedFapiProvider shared) : IClassFixture<SharedFapiProvider>
{
    private TestProvider Provider => shared.Provider;

    private FapiTestClient Fapi2Poll => new(Provider, SharedFapiProvider.Fapi2Poll, SharedFapiProvider.Fapi2PollKey);

    private FapiTestClient Fapi2Ping => new(Provider, SharedFapiProvider.Fapi2Ping, SharedFapiProvider.Fapi2PingKey);

    private FapiTestClient Fapi1Poll => new(Provider, SharedFapiProvider.Fapi1Poll, SharedFapiProvider.Fapi1PollKey);

    /// <summary>Redeems with a DPoP proof and checks what FAPI 2.0 asks of the answer: a DPoP token bound to the client's key, PS256 ID token.</summary>
    private static async Task<string> RedeemBoundAsync(FapiTestClient client, string authReqId)
    {
        var (response, tokens) = await client.RedeemAsync(authReqId);
        Assert.True(response.StatusCode == HttpStatusCode.OK, tokens.ToString());
        Assert.Equal("DPoP", tokens.GetProperty("token_type").GetString());
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        Assert.Equal(client.Dpop.Thumbprint, TestJwts.Read(accessToken).GetPayloadValue<System.Text.Json.JsonElement>("cnf").GetProperty("jkt").GetString());
        var idToken = new JsonWebToken(tokens.GetProperty("id_token").GetString()!);
        Assert.Equal("PS256", idToken.Alg);
        Assert.Equal(client.ClientId, Assert.Single(idToken.Audiences));

        var (userInfo, claims) = await client.UserInfoAsync(accessToken);
        Assert.Equal(HttpStatusCode.OK, userInfo.StatusCode);
        Assert.Equal("alice-sub", claims.GetProperty("sub").GetString());
        return tokens.GetProperty("refresh_token").GetString()!;
    }

    [Fact]
    public async Task A_configured_fapi2_poll_client_completes_a_flow_with_dpop_bound_tokens_and_refreshes_them()
    {
        var client = Fapi2Poll;
        var refreshToken = await RedeemBoundAsync(client, await client.ApprovedAsync(signed: false));

        var (refreshed, tokens) = await client.PostAsync("/token", [("grant_type", "refresh_token"), ("refresh_token", refreshToken)], dpop: true);
        Assert.True(refreshed.StatusCode == HttpStatusCode.OK, tokens.ToString());
        Assert.Equal("DPoP", tokens.GetProperty("token_type").GetString());
    }

    [Fact]
    public async Task A_configured_fapi2_poll_client_may_sign_its_requests_with_es256()
    {
        var client = Fapi2Poll;
        await RedeemBoundAsync(client, await client.ApprovedAsync(signed: true));
    }

    [Fact]
    public async Task A_configured_fapi2_ping_client_is_pinged_and_completes_the_flow_with_dpop()
    {
        var client = Fapi2Ping;
        var notificationToken = TestClients.NewNotificationToken();
        var authReqId = await client.ApprovedAsync(signed: true, ("client_notification_token", notificationToken));

        var ping = await shared.Receiver.ForAsync(authReqId);
        Assert.Equal("Bearer " + notificationToken, ping.Authorization);
        await RedeemBoundAsync(client, authReqId);
    }

    [Theory]
    [InlineData("poll", null)]
    [InlineData("ping", "Fapi2Ciba")]
    public async Task A_registered_fapi2_client_completes_the_flow_with_dpop(string mode, string? fapiProfile)
    {
        var key = mode == "poll" ? TestKey.EllipticCurve() : TestKey.Rsa("PS256");
        var metadata = new JsonObject
        {
            ["client_name"] = $"FAPI 2 {mode} client",
            ["token_endpoint_auth_method"] = "private_key_jwt",
            ["token_endpoint_auth_signing_alg"] = key.Algorithm,
            ["jwks"] = FapiTestClient.Jwks(key),
            ["backchannel_token_delivery_mode"] = mode,
        };
        if (mode == "ping")
        {
            metadata["backchannel_client_notification_endpoint"] = shared.Receiver.Endpoint;
        }

        if (fapiProfile is not null)
        {
            metadata["fapi_profile"] = fapiProfile;
        }

        var (registration, registered) = await RegistrationRequests.RegisterAsync(Provider.Http, metadata, initialAccessToken: null);
        Assert.True(registration.StatusCode == HttpStatusCode.Created, registered.ToString());
        Assert.False(registered.TryGetProperty("client_secret", out _));
        Assert.Equal(fapiProfile is null, !registered.TryGetProperty("fapi_profile", out var echoed));
        if (fapiProfile is not null)
        {
            Assert.Equal(fapiProfile, echoed.GetString());
        }

        var client = new FapiTestClient(Provider, registered.GetProperty("client_id").GetString()!, key);
        var authReqId = mode == "ping"
            ? await client.ApprovedAsync(signed: true, ("client_notification_token", TestClients.NewNotificationToken()))
            : await client.ApprovedAsync(signed: false);
        if (mode == "ping")
        {
            Assert.Equal(authReqId, (await shared.Receiver.ForAsync(authReqId)).AuthReqId);
        }

        await RedeemBoundAsync(client, authReqId);
    }

    [Fact]
    public async Task A_fapi2_token_request_without_a_dpop_proof_is_invalid_dpop_proof_and_the_request_stays_redeemable()
    {
        var client = Fapi2Poll;
        var authReqId = await client.ApprovedAsync(signed: false);

        var (refused, body) = await client.RedeemAsync(authReqId, dpop: false);
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_dpop_proof"), (refused.StatusCode, body.Error()));
        Assert.Contains("Fapi2Ciba requires sender-constrained access tokens", body.GetProperty("error_description").GetString(), StringComparison.Ordinal);

        await RedeemBoundAsync(client, authReqId);
    }

    [Fact]
    public async Task A_registered_fapi1_client_must_sign_its_requests()
    {
        var key = TestKey.Rsa("PS256");
        var (registration, registered) = await RegistrationRequests.RegisterAsync(Provider.Http, new JsonObject
        {
            ["fapi_profile"] = "Fapi1Ciba",
            ["token_endpoint_auth_method"] = "private_key_jwt",
            ["jwks"] = FapiTestClient.Jwks(key),
            ["backchannel_token_delivery_mode"] = "poll",
            ["backchannel_authentication_request_signing_alg"] = "PS256",
            ["tls_client_certificate_bound_access_tokens"] = true,
        }, initialAccessToken: null);
        Assert.True(registration.StatusCode == HttpStatusCode.Created, registered.ToString());
        Assert.True(registered.GetProperty("tls_client_certificate_bound_access_tokens").GetBoolean());
        var client = new FapiTestClient(Provider, registered.GetProperty("client_id").GetString()!, key);

        var (unsigned, error, _) = await client.AuthorizeAsync();
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (unsigned.StatusCode, error.Error()));
        Assert.StartsWith("Fapi1Ciba requires signed authentication requests", error.GetProperty("error_description").GetString(), StringComparison.Ordinal);

        var (signed, body, bindingMessage) = await client.AuthorizeSignedAsync();
        Assert.True(signed.StatusCode == HttpStatusCode.OK, body.ToString());
        Assert.Equal(bindingMessage, (await Provider.Device.ForAsync(bindingMessage)).BindingMessage);
    }
}
