using System.Net;
using System.Text.Json;
using Backchannel.IntegrationTests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Backchannel.IntegrationTests;

/// <summary>The test clients, plus a poll client and a push client that registered dpop_bound_access_tokens.</summary>
public sealed class SharedDpopProvider : SharedNotifyingProvider
{
    internal const string BoundPoll = "dpop-poll-client";
    internal const string BoundPush = "dpop-push-client";
    internal const string Secret = "dpop-client-secret";

    protected override Dictionary<string, string?> Settings()
    {
        var settings = base.Settings();
        settings["Backchannel:Clients:8:client_id"] = BoundPoll;
        settings["Backchannel:Clients:8:client_secret"] = Secret;
        settings["Backchannel:Clients:8:backchannel_token_delivery_mode"] = "poll";
        settings["Backchannel:Clients:8:dpop_bound_access_tokens"] = "true";
        settings["Backchannel:Clients:9:client_id"] = BoundPush;
        settings["Backchannel:Clients:9:client_secret"] = Secret;
        settings["Backchannel:Clients:9:backchannel_token_delivery_mode"] = "push";
        settings["Backchannel:Clients:9:backchannel_client_notification_endpoint"] = settings["Backchannel:Clients:7:backchannel_client_notification_endpoint"];
        settings["Backchannel:Clients:9:dpop_bound_access_tokens"] = "true";
        return settings;
    }
}

/// <summary>
/// DPoP (RFC 9449) over loopback: tokens bound at /token and at /bc-authorize, used at /userinfo with proofs, and every
/// kind of bad proof refused with its status and error. One provider for the class, on a clock the tests advance.
/// </summary>
public class DpopTests(SharedDpopProvider shared) : IClassFixture<SharedDpopProvider>
{
    private static readonly (string, string) PollClient = (TestClients.Poll, TestClients.PollSecret);

    private TestProvider Provider => shared.Provider;

    private string UserInfoUrl => Provider.Issuer + "/userinfo";

    private DateTimeOffset Now => Provider.Time.GetUtcNow();

    /// <summary>An approved request of <paramref name="client"/>, made without a proof unless <paramref name="proof"/> is given.</summary>
    private async Task<string> ApprovedAsync((string Id, string Secret) client, string? proof = null, string? notificationToken = null)
    {
        var bindingMessage = "dpop " + Guid.NewGuid().ToString("N")[..8];
        var form = new List<(string, string)> { ("scope", "openid profile email"), ("login_hint", "alice"), ("binding_message", bindingMessage) };
        if (notificationToken is not null)
        {
            form.Add(("client_notification_token", notificationToken));
        }

        var (response, body) = await DpopKey.PostAsync(Provider.Http, Provider.BackchannelEndpoint, proof, client, [.. form]);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        using var approval = await Provider.Device.ApproveAsync(await Provider.Device.ForAsync(bindingMessage));
        Assert.Equal(HttpStatusCode.NoContent, approval.StatusCode);
        return body.GetProperty("auth_req_id").GetString()!;
    }

    private Task<(HttpResponseMessage Response, JsonElement Body)> RedeemAsync(string authReqId, string? proof, (string, string)? client = null) =>
        DpopKey.PostAsync(Provider.Http, Provider.TokenEndpoint, proof, client ?? PollClient,
            ("grant_type", "urn:openid:params:grant-type:ciba"), ("auth_req_id", authReqId));

    /// <summary>A poll flow whose access token is bound to <paramref name="key"/>; the token response.</summary>
    private async Task<JsonElement> BoundTokensAsync(DpopKey key)
    {
        var (response, body) = await RedeemAsync(await ApprovedAsync(PollClient), key.Proof("POST", Provider.TokenEndpoint, Now));
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        return body;
    }

    private static string? BoundKey(string accessToken) =>
        new JsonWebToken(accessToken).TryGetPayloadValue<JsonElement>("cnf", out var cnf) ? cnf.GetProperty("jkt").GetString() : null;

    private static void AssertDpopChallenge(HttpResponseMessage response, string error)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = response.Headers.WwwAuthenticate.ToString();
        Assert.StartsWith("DPoP ", challenge, StringComparison.Ordinal);
        Assert.Contains($"error=\"{error}\"", challenge, StringComparison.Ordinal);
        Assert.Contains("algs=\"", challenge, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_poll_flow_with_a_proof_gets_a_DPoP_token_that_userinfo_accepts_only_with_a_proof_of_its_key()
    {
        var key = new DpopKey();
        var tokens = await BoundTokensAsync(key);
        Assert.Equal("DPoP", tokens.GetProperty("token_type").GetString());
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        Assert.Equal(key.Thumbprint, BoundKey(accessToken));

        var (ok, claims) = await DpopKey.UserInfoAsync(Provider.Http, UserInfoUrl, "DPoP", accessToken, key.Proof("GET", UserInfoUrl, Now, accessToken));
        Assert.True(ok.StatusCode == HttpStatusCode.OK, claims.ToString());
        Assert.Equal("alice-sub", claims.GetProperty("sub").GetString());

        // Sent as a bearer token (with or without a proof beside it), the bound token is refused.
        var (bearer, bearerBody) = await DpopKey.UserInfoAsync(Provider.Http, UserInfoUrl, "Bearer", accessToken, null);
        AssertDpopChallenge(bearer, "invalid_token");
        Assert.Equal("invalid_token", bearerBody.Error());
        var (bearerWithProof, _) = await DpopKey.UserInfoAsync(Provider.Http, UserInfoUrl, "Bearer", accessToken, key.Proof("GET", UserInfoUrl, Now, accessToken));
        AssertDpopChallenge(bearerWithProof, "invalid_token");

        // The discovery document names the accepted proof algorithms.
        using var discovery = JsonDocument.Parse(await Provider.Http.GetStringAsync("/.well-known/openid-configuration"));
        Assert.Contains("ES256", discovery.RootElement.GetProperty("dpop_signing_alg_values_supported").EnumerateArray().Select(a => a.GetString()));
    }

    [Fact]
    public async Task Without_a_proof_the_token_stays_a_bearer_token()
    {
        var (response, body) = await RedeemAsync(await ApprovedAsync(PollClient), null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        var accessToken = body.GetProperty("access_token").GetString()!;
        Assert.Null(BoundKey(accessToken));
        Assert.Equal("alice-sub", (await TokenAssertions.UserInfoAsync(Provider, accessToken))["sub"].GetString());
    }

    public static TheoryData<string> BadUserInfoProofs => new()
    {
        "wrong htm", "wrong htu", "stale iat", "alg none", "another key", "missing ath", "wrong ath",
    };

    [Theory]
    [MemberData(nameof(BadUserInfoProofs))]
    public async Task A_bad_proof_at_userinfo_is_401_invalid_dpop_proof(string kind)
    {
        var key = new DpopKey();
        var accessToken = (await BoundTokensAsync(key)).GetProperty("access_token").GetString()!;
        var proof = kind switch
        {
            "wrong htm" => key.Proof("POST", UserInfoUrl, Now, accessToken),
            "wrong htu" => key.Proof("GET", Provider.TokenEndpoint, Now, accessToken),
            "stale iat" => key.Proof("GET", UserInfoUrl, Now.AddMinutes(-6), accessToken),
            "alg none" => key.Proof("GET", UserInfoUrl, Now, accessToken, alg: "none"),
            "another key" => new DpopKey().Proof("GET", UserInfoUrl, Now, accessToken),
            "missing ath" => key.Proof("GET", UserInfoUrl, Now),
            "wrong ath" => key.Proof("GET", UserInfoUrl, Now, accessToken + "x"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        var (response, body) = await DpopKey.UserInfoAsync(Provider.Http, UserInfoUrl, "DPoP", accessToken, proof);

        AssertDpopChallenge(response, "invalid_dpop_proof");
        Assert.Equal("invalid_dpop_proof", body.Error());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("error_description").GetString()));
    }

    [Fact]
    public async Task A_replayed_proof_is_refused_at_userinfo_and_at_the_token_endpoint()
    {
        var key = new DpopKey();
        var accessToken = (await BoundTokensAsync(key)).GetProperty("access_token").GetString()!;
        var proof = key.Proof("GET", UserInfoUrl, Now, accessToken);
        var (first, _) = await DpopKey.UserInfoAsync(Provider.Http, UserInfoUrl, "DPoP", accessToken, proof);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        var (again, body) = await DpopKey.UserInfoAsync(Provider.Http, UserInfoUrl, "DPoP", accessToken, proof);
        AssertDpopChallenge(again, "invalid_dpop_proof");
        Assert.Contains("replay", body.GetProperty("error_description").GetString(), StringComparison.OrdinalIgnoreCase);

        var tokenProof = key.Proof("POST", Provider.TokenEndpoint, Now);
        var (redeemed, _) = await RedeemAsync(await ApprovedAsync(PollClient), tokenProof);
        Assert.Equal(HttpStatusCode.OK, redeemed.StatusCode);
        var (replayed, replayBody) = await RedeemAsync(await ApprovedAsync(PollClient), tokenProof);
        Assert.Equal(HttpStatusCode.BadRequest, replayed.StatusCode);
        Assert.Equal("invalid_dpop_proof", replayBody.Error());
    }

    [Fact]
    public async Task A_bad_proof_at_the_token_endpoint_is_400_invalid_dpop_proof_and_the_request_can_still_be_redeemed()
    {
        var key = new DpopKey();
        var authReqId = await ApprovedAsync(PollClient);

        foreach (var bad in new[]
                 {
                     key.Proof("POST", UserInfoUrl, Now),
                     key.Proof("GET", Provider.TokenEndpoint, Now),
                     key.Proof("POST", Provider.TokenEndpoint, Now.AddMinutes(-10)),
                     key.Proof("POST", Provider.TokenEndpoint, Now, alg: "none"),
                 })
        {
            var (response, body) = await RedeemAsync(authReqId, bad);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("invalid_dpop_proof", body.Error());
        }

        var (good, tokens) = await RedeemAsync(authReqId, key.Proof("POST", Provider.TokenEndpoint, Now));
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        Assert.Equal(key.Thumbprint, BoundKey(tokens.GetProperty("access_token").GetString()!));
    }

    [Fact]
    public async Task A_refresh_with_a_proof_binds_the_new_access_token_to_that_key()
    {
        var key = new DpopKey();
        var tokens = await BoundTokensAsync(key);

        var (response, refreshed) = await DpopKey.PostAsync(Provider.Http, Provider.TokenEndpoint, key.Proof("POST", Provider.TokenEndpoint, Now), PollClient,
            ("grant_type", "refresh_token"), ("refresh_token", tokens.GetProperty("refresh_token").GetString()!));

        Assert.True(response.StatusCode == HttpStatusCode.OK, refreshed.ToString());
        Assert.Equal("DPoP", refreshed.GetProperty("token_type").GetString());
        var accessToken = refreshed.GetProperty("access_token").GetString()!;
        Assert.Equal(key.Thumbprint, BoundKey(accessToken));
        var (userInfo, _) = await DpopKey.UserInfoAsync(Provider.Http, UserInfoUrl, "DPoP", accessToken, key.Proof("GET", UserInfoUrl, Now, accessToken));
        Assert.Equal(HttpStatusCode.OK, userInfo.StatusCode);
    }

    [Fact]
    public async Task A_client_registered_with_dpop_bound_access_tokens_must_send_a_proof()
    {
        var client = (SharedDpopProvider.BoundPoll, SharedDpopProvider.Secret);
        var authReqId = await ApprovedAsync(client);

        var (refused, body) = await RedeemAsync(authReqId, null, client);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("invalid_dpop_proof", body.Error());
        Assert.Contains("dpop_bound_access_tokens", body.GetProperty("error_description").GetString(), StringComparison.Ordinal);

        var key = new DpopKey();
        var (accepted, tokens) = await RedeemAsync(authReqId, key.Proof("POST", Provider.TokenEndpoint, Now), client);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal("DPoP", tokens.GetProperty("token_type").GetString());
    }

    [Fact]
    public async Task A_proof_at_bc_authorize_binds_the_request_so_the_token_request_must_prove_the_same_key()
    {
        var key = new DpopKey();
        var authReqId = await ApprovedAsync(PollClient, key.Proof("POST", Provider.BackchannelEndpoint, Now));

        var (withoutProof, body) = await RedeemAsync(authReqId, null);
        Assert.Equal(HttpStatusCode.BadRequest, withoutProof.StatusCode);
        Assert.Equal("invalid_dpop_proof", body.Error());

        var (otherKey, otherBody) = await RedeemAsync(authReqId, new DpopKey().Proof("POST", Provider.TokenEndpoint, Now));
        Assert.Equal(HttpStatusCode.BadRequest, otherKey.StatusCode);
        Assert.Equal("invalid_dpop_proof", otherBody.Error());

        var (sameKey, tokens) = await RedeemAsync(authReqId, key.Proof("POST", Provider.TokenEndpoint, Now));
        Assert.Equal(HttpStatusCode.OK, sameKey.StatusCode);
        Assert.Equal(key.Thumbprint, BoundKey(tokens.GetProperty("access_token").GetString()!));
    }

    [Fact]
    public async Task A_bad_proof_at_bc_authorize_is_400_invalid_dpop_proof()
    {
        var (response, body) = await DpopKey.PostAsync(Provider.Http, Provider.BackchannelEndpoint,
            new DpopKey().Proof("POST", Provider.TokenEndpoint, Now), PollClient, ("scope", "openid"), ("login_hint", "alice"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_dpop_proof", body.Error());
    }

    [Fact]
    public async Task A_push_client_binds_at_bc_authorize_and_receives_DPoP_tokens()
    {
        var client = (SharedDpopProvider.BoundPush, SharedDpopProvider.Secret);
        var (refused, refusal) = await DpopKey.PostAsync(Provider.Http, Provider.BackchannelEndpoint, null, client,
            ("scope", "openid"), ("login_hint", "alice"), ("client_notification_token", TestClients.NewNotificationToken()));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("invalid_dpop_proof", refusal.Error());

        var key = new DpopKey();
        var authReqId = await ApprovedAsync(client, key.Proof("POST", Provider.BackchannelEndpoint, Now), TestClients.NewNotificationToken());

        var push = await shared.Receiver.ForAsync(authReqId);
        Assert.Equal("DPoP", push.Body.GetProperty("token_type").GetString());
        var accessToken = push.Body.GetProperty("access_token").GetString()!;
        Assert.Equal(key.Thumbprint, BoundKey(accessToken));
        var (userInfo, _) = await DpopKey.UserInfoAsync(Provider.Http, UserInfoUrl, "DPoP", accessToken, key.Proof("GET", UserInfoUrl, Now, accessToken));
        Assert.Equal(HttpStatusCode.OK, userInfo.StatusCode);
    }
}

/// <summary>Dpop:RequireNonce: a proof without the server's nonce is answered use_dpop_nonce with a DPoP-Nonce header.</summary>
public sealed class SharedNonceProvider : SharedProvider
{
    protected override Dictionary<string, string?> Settings() => new() { ["Backchannel:Dpop:RequireNonce"] = "true" };
}

public class DpopNonceTests(SharedNonceProvider shared) : IClassFixture<SharedNonceProvider>
{
    [Fact]
    public async Task The_nonce_round_trip_at_the_token_endpoint_and_at_userinfo()
    {
        var provider = shared.Provider;
        var key = new DpopKey();
        var client = (TestClients.Poll, TestClients.PollSecret);
        var tokens = await provider.CompleteFlowAsync();

        // Refresh: first without a nonce, then with the one the provider gave.
        var refresh = new[] { ("grant_type", "refresh_token"), ("refresh_token", tokens.RefreshToken!) };
        var (asked, askedBody) = await DpopKey.PostAsync(provider.Http, provider.TokenEndpoint,
            key.Proof("POST", provider.TokenEndpoint, provider.Time.GetUtcNow()), client, refresh);
        Assert.Equal(HttpStatusCode.BadRequest, asked.StatusCode);
        Assert.Equal("use_dpop_nonce", askedBody.Error());
        var nonce = Assert.Single(asked.Headers.GetValues("DPoP-Nonce"));

        var (refreshed, body) = await DpopKey.PostAsync(provider.Http, provider.TokenEndpoint,
            key.Proof("POST", provider.TokenEndpoint, provider.Time.GetUtcNow(), nonce: nonce), client, refresh);
        Assert.True(refreshed.StatusCode == HttpStatusCode.OK, body.ToString());
        var accessToken = body.GetProperty("access_token").GetString()!;

        var userInfoUrl = provider.Issuer + "/userinfo";
        var (unsent, _) = await DpopKey.UserInfoAsync(provider.Http, userInfoUrl, "DPoP", accessToken,
            key.Proof("GET", userInfoUrl, provider.Time.GetUtcNow(), accessToken));
        Assert.Equal(HttpStatusCode.Unauthorized, unsent.StatusCode);
        Assert.Contains("error=\"use_dpop_nonce\"", unsent.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Single(unsent.Headers.GetValues("DPoP-Nonce"));

        var (ok, claims) = await DpopKey.UserInfoAsync(provider.Http, userInfoUrl, "DPoP", accessToken,
            key.Proof("GET", userInfoUrl, provider.Time.GetUtcNow(), accessToken, nonce: nonce));
        Assert.True(ok.StatusCode == HttpStatusCode.OK, claims.ToString());

        // Two proof lifetimes later the nonce is stale: a new one is given.
        await provider.FakeTime.StepAsync(TimeSpan.FromSeconds(601));
        var (stale, staleBody) = await DpopKey.UserInfoAsync(provider.Http, userInfoUrl, "DPoP", accessToken,
            key.Proof("GET", userInfoUrl, provider.Time.GetUtcNow(), accessToken, nonce: nonce));
        Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
        Assert.Equal("use_dpop_nonce", staleBody.Error());
        Assert.NotEqual(nonce, Assert.Single(stale.Headers.GetValues("DPoP-Nonce")));
    }
}
