using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Backchannel.IntegrationTests.Infrastructure;
using Backchannel.Protocol;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Backchannel.IntegrationTests.Fapi;

/// <summary>
/// FAPI-CIBA on FAPI 1.0 (Fapi1Ciba) over real mutual TLS on loopback: tls_client_auth clients and private_key_jwt clients
/// with certificate-bound access tokens, in the poll and ping modes, statically configured and dynamically registered,
/// complete the flow at the mutual-TLS alias; the conformance suite's holder-of-key check under FAPI; a token request
/// without a client certificate is refused.
/// </summary>
public class FapiMtlsTests(SharedFapiProvider shared) : IClassFixture<SharedFapiProvider>
{
    private TestProvider Provider => shared.Provider;

    private static string? BoundThumbprint(string accessToken) =>
        new JsonWebToken(accessToken).TryGetPayloadValue<JsonElement>("cnf", out var cnf) && cnf.TryGetProperty("x5t#S256", out var x5t)
            ? x5t.GetString()
            : null;

    private static async Task<(HttpStatusCode Status, JsonElement Body)> UserInfoAsync(HttpClient http, string accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/userinfo");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        var (response, body) = await FapiTestClient.SendAsync(http, request);
        using (response)
        {
            return (response.StatusCode, body);
        }
    }

    /// <summary>
    /// A Fapi1Ciba flow of <paramref name="client"/> (which talks to the alias with <paramref name="certificate"/>): a
    /// signed request (with a notification token in the ping mode, whose ping must arrive), the user's approval, the
    /// token request; checks the answer is a Bearer token bound to the certificate with a PS256 ID token, usable at the
    /// userinfo alias with that certificate. Returns the access token.
    /// </summary>
    private async Task<string> CompleteAsync(FapiTestClient client, HttpClient alias, X509Certificate2 certificate, string mode)
    {
        string authReqId;
        if (mode == "ping")
        {
            var notificationToken = TestClients.NewNotificationToken();
            authReqId = await client.ApprovedAsync(signed: true, ("client_notification_token", notificationToken));
            Assert.Equal("Bearer " + notificationToken, (await shared.Receiver.ForAsync(authReqId)).Authorization);
        }
        else
        {
            authReqId = await client.ApprovedAsync(signed: true);
        }

        var (response, tokens) = await client.RedeemAsync(authReqId, dpop: false);
        Assert.True(response.StatusCode == HttpStatusCode.OK, tokens.ToString());
        Assert.Equal("Bearer", tokens.GetProperty("token_type").GetString());
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        Assert.Equal(CertificateThumbprint.Sha256(certificate), BoundThumbprint(accessToken));
        var idToken = new JsonWebToken(tokens.GetProperty("id_token").GetString()!);
        Assert.Equal("PS256", idToken.Alg);
        Assert.Equal(client.ClientId, Assert.Single(idToken.Audiences));

        var (userInfo, claims) = await UserInfoAsync(alias, accessToken);
        Assert.True(userInfo == HttpStatusCode.OK, claims.ToString());
        Assert.Equal("alice-sub", claims.GetProperty("sub").GetString());
        return accessToken;
    }

    /// <summary>Registers a Fapi1Ciba client with certificate-bound tokens (and <paramref name="extra"/> members): its client_id.</summary>
    private async Task<string> RegisterAsync(string mode, TestKey key, JsonObject extra)
    {
        var metadata = new JsonObject
        {
            ["fapi_profile"] = "Fapi1Ciba",
            ["jwks"] = FapiTestClient.Jwks(key),
            ["backchannel_token_delivery_mode"] = mode,
            ["backchannel_authentication_request_signing_alg"] = key.Algorithm,
            ["tls_client_certificate_bound_access_tokens"] = true,
        };
        if (mode == "ping")
        {
            metadata["backchannel_client_notification_endpoint"] = shared.Receiver.Endpoint;
        }

        foreach (var (name, value) in extra)
        {
            metadata[name] = value?.DeepClone();
        }

        var (registration, registered) = await RegistrationRequests.RegisterAsync(Provider.Http, metadata, initialAccessToken: null);
        Assert.True(registration.StatusCode == HttpStatusCode.Created, registered.ToString());
        Assert.True(registered.GetProperty("tls_client_certificate_bound_access_tokens").GetBoolean());
        Assert.Equal("Fapi1Ciba", registered.GetProperty("fapi_profile").GetString());
        return registered.GetProperty("client_id").GetString()!;
    }

    [Theory]
    [InlineData("poll")]
    [InlineData("ping")]
    public async Task A_configured_fapi1_tls_client_auth_client_completes_the_flow_with_certificate_bound_tokens(string mode)
    {
        var (clientId, key, certificate) = mode == "poll"
            ? (SharedFapiProvider.Fapi1MtlsPoll, SharedFapiProvider.Fapi1MtlsPollKey, shared.Fapi1MtlsPollCertificate)
            : (SharedFapiProvider.Fapi1MtlsPing, SharedFapiProvider.Fapi1MtlsPingKey, shared.Fapi1MtlsPingCertificate);
        using var alias = shared.Alias(certificate);

        await CompleteAsync(new FapiTestClient(Provider, clientId, key, alias, mutualTls: true), alias, certificate, mode);
    }

    [Theory]
    [InlineData("poll")]
    [InlineData("ping")]
    public async Task A_registered_fapi1_tls_client_auth_client_completes_the_flow_with_certificate_bound_tokens(string mode)
    {
        var key = TestKey.Rsa("PS256");
        var dn = $"CN=registered fapi1 {mode} {Guid.NewGuid():N}, O=Backchannel Tests, C=GB";
        var clientId = await RegisterAsync(mode, key, new JsonObject
        {
            ["token_endpoint_auth_method"] = "tls_client_auth",
            ["tls_client_auth_subject_dn"] = dn,
        });
        var certificate = shared.Certificates.Client(dn);
        using var alias = shared.Alias(certificate);

        await CompleteAsync(new FapiTestClient(Provider, clientId, key, alias, mutualTls: true), alias, certificate, mode);
    }

    [Theory]
    [InlineData("configured", "poll")]
    [InlineData("registered", "ping")]
    public async Task A_fapi1_private_key_jwt_client_gets_tokens_bound_to_the_certificate_of_its_alias_connection(string registration, string mode)
    {
        var (clientId, key) = registration == "configured"
            ? (SharedFapiProvider.Fapi1Poll, SharedFapiProvider.Fapi1PollKey)
            : await RegisterKeyClientAsync(mode);

        // A private_key_jwt client authenticates by its assertion; its tokens are bound to whatever certificate its
        // mutual-TLS connection presented (RFC 8705 3), here one that names no client.
        using var alias = shared.Alias(shared.OtherCertificate);
        await CompleteAsync(new FapiTestClient(Provider, clientId, key, alias), alias, shared.OtherCertificate, mode);
    }

    private async Task<(string ClientId, TestKey Key)> RegisterKeyClientAsync(string mode)
    {
        var key = TestKey.EllipticCurve();
        var clientId = await RegisterAsync(mode, key, new JsonObject
        {
            ["token_endpoint_auth_method"] = "private_key_jwt",
            ["token_endpoint_auth_signing_alg"] = key.Algorithm,
        });
        return (clientId, key);
    }

    [Fact]
    public async Task Under_fapi_a_certificate_bound_token_used_with_another_certificate_is_invalid_token()
    {
        var certificate = shared.Fapi1MtlsPollCertificate;
        using var alias = shared.Alias(certificate);
        var accessToken = await CompleteAsync(
            new FapiTestClient(Provider, SharedFapiProvider.Fapi1MtlsPoll, SharedFapiProvider.Fapi1MtlsPollKey, alias, mutualTls: true), alias, certificate, "poll");

        // The conformance suite's holder-of-key check: the token with another certificate of the trusted CA, or with none.
        using var thief = shared.Alias(shared.OtherCertificate);
        var (status, body) = await UserInfoAsync(thief, accessToken);
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_token"), (status, body.Error()));
        using var anonymous = shared.Alias(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await UserInfoAsync(anonymous, accessToken)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await UserInfoAsync(Provider.Http, accessToken)).Status);
    }

    [Fact]
    public async Task A_fapi1_token_request_without_a_client_certificate_is_refused_and_the_request_stays_redeemable()
    {
        // private_key_jwt at the issuer's address (no TLS, so no certificate): no token rather than an unbound one.
        var keyClient = new FapiTestClient(Provider, SharedFapiProvider.Fapi1Poll, SharedFapiProvider.Fapi1PollKey);
        var authReqId = await keyClient.ApprovedAsync(signed: true);
        var (plain, refused) = await keyClient.RedeemAsync(authReqId, dpop: false);
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (plain.StatusCode, refused.Error()));
        Assert.Contains("tls_client_certificate_bound_access_tokens", refused.GetProperty("error_description").GetString(), StringComparison.Ordinal);

        // A DPoP proof does not stand in for the certificate under Fapi1Ciba.
        var (proved, provedBody) = await keyClient.RedeemAsync(authReqId, dpop: true);
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (proved.StatusCode, provedBody.Error()));

        // tls_client_auth at the alias without a certificate: the client is not authenticated.
        using var anonymous = shared.Alias(null);
        var mtlsClient = new FapiTestClient(Provider, SharedFapiProvider.Fapi1MtlsPoll, SharedFapiProvider.Fapi1MtlsPollKey, anonymous, mutualTls: true);
        var (unauthenticated, error) = await mtlsClient.RedeemAsync("any-auth-req-id", dpop: false);
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), (unauthenticated.StatusCode, error.Error()));

        // The refused requests left the grant redeemable over mutual TLS.
        using var alias = shared.Alias(shared.OtherCertificate);
        var (redeemed, tokens) = await new FapiTestClient(Provider, SharedFapiProvider.Fapi1Poll, SharedFapiProvider.Fapi1PollKey, alias).RedeemAsync(authReqId, dpop: false);
        Assert.True(redeemed.StatusCode == HttpStatusCode.OK, tokens.ToString());
        Assert.Equal(CertificateThumbprint.Sha256(shared.OtherCertificate), BoundThumbprint(tokens.GetProperty("access_token").GetString()!));
    }
}
