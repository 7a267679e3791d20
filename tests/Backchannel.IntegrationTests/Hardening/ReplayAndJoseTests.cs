using System.Net;
using System.Text.Json;
using Backchannel.Abstractions;
using Backchannel.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.IntegrationTests.Hardening;

/// <summary>
/// Issue 16, items 5 and 11: a JWT's jti is remembered as long as the JWT could be accepted (its exp plus the clock skew),
/// and client JWTs are read strictly (no unknown crit header, a non-empty jti, numeric times). One provider for the
/// class on a clock the tests advance; every JWT is made from that clock.
/// </summary>
public sealed class ReplayAndJoseTests(ReplayAndJoseTests.Fixture shared) : IClassFixture<ReplayAndJoseTests.Fixture>
{
    /// <summary>Expired data (used jtis among them) is removed every 5 s of the provider's clock, so that a jump of the clock is followed by a cleanup.</summary>
    public sealed class Fixture : SharedProvider
    {
        protected override Dictionary<string, string?> Settings() => new() { ["Backchannel:Storage:CleanupIntervalSeconds"] = "5" };
    }

    private const string JwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    private TestProvider Provider => shared.Provider;

    /// <summary>The request was refused with this status and error (an unexpected success shows its body).</summary>
    private static void AssertRefused(HttpResponseMessage response, JsonElement body, HttpStatusCode status, string error)
    {
        Assert.True(response.StatusCode == status, $"expected {(int)status} {error}, got {(int)response.StatusCode}: {body}");
        Assert.Equal(error, body.Error());
    }

    private DateTimeOffset Now => Provider.Time.GetUtcNow();

    private TimeSpan Skew => Provider.Services.GetRequiredService<IOptions<ProviderOptions>>().Value.ClockSkew;

    private static string NewId() => Guid.NewGuid().ToString("N");

    private static string Sign(TestKey key, Dictionary<string, object> claims, Dictionary<string, object>? header = null) =>
        Handler.CreateToken(new SecurityTokenDescriptor { Claims = claims, SigningCredentials = key.Credentials, AdditionalHeaderClaims = header });

    /// <summary>The claims of a valid client assertion of <paramref name="clientId"/>, issued at <paramref name="issuedAt"/> and valid for <paramref name="lifetime"/>.</summary>
    private Dictionary<string, object> AssertionClaims(string clientId, DateTimeOffset issuedAt, TimeSpan lifetime, string? jti = null) => new()
    {
        ["iss"] = clientId,
        ["sub"] = clientId,
        ["aud"] = Provider.Issuer,
        ["jti"] = jti ?? NewId(),
        ["iat"] = issuedAt.ToUnixTimeSeconds(),
        ["exp"] = issuedAt.Add(lifetime).ToUnixTimeSeconds(),
    };

    /// <summary>The claims of a valid request object of the signed client, issued at <paramref name="issuedAt"/> and valid for <paramref name="lifetime"/>.</summary>
    private Dictionary<string, object> RequestObjectClaims(string bindingMessage, DateTimeOffset issuedAt, TimeSpan lifetime, string? jti = null) => new()
    {
        ["iss"] = TestClients.Signed,
        ["aud"] = Provider.Issuer,
        ["iat"] = issuedAt.ToUnixTimeSeconds(),
        ["nbf"] = issuedAt.ToUnixTimeSeconds(),
        ["exp"] = issuedAt.Add(lifetime).ToUnixTimeSeconds(),
        ["jti"] = jti ?? NewId(),
        ["scope"] = "openid",
        ["login_hint"] = "alice",
        ["binding_message"] = bindingMessage,
    };

    /// <summary>A backchannel authentication request of the private_key_jwt client, authenticated with <paramref name="assertion"/>.</summary>
    private Task<(HttpResponseMessage Response, JsonElement Body)> AuthorizeAsJwtClientAsync(string assertion, string bindingMessage) =>
        FormRequests.PostAsync(Provider.Http, "/bc-authorize",
        [
            new("client_assertion_type", JwtBearer),
            new("client_assertion", assertion),
            new("scope", "openid"),
            new("login_hint", "alice"),
            new("binding_message", bindingMessage),
        ]);

    /// <summary>A signed request of the signed client, authenticated with a fresh assertion made now.</summary>
    private Task<(HttpResponseMessage Response, JsonElement Body)> SendRequestObjectAsync(string requestObject) =>
        FormRequests.PostAsync(Provider.Http, "/bc-authorize",
        [
            new("client_assertion_type", JwtBearer),
            new("client_assertion", Sign(TestClients.SignedKey, AssertionClaims(TestClients.Signed, Now, TimeSpan.FromMinutes(1)))),
            new("request", requestObject),
        ]);

    /// <summary>How many authentication requests the store holds with this binding message.</summary>
    private async Task<long> StoredRequestsWithAsync(string bindingMessage)
    {
        await using var database = Provider.OpenDatabase();
        await using var command = database.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM auth_requests WHERE binding_message = $message";
        command.Parameters.AddWithValue("$message", bindingMessage);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>When the store forgets this used jti (Unix milliseconds), or null when it does not hold it.</summary>
    private async Task<long?> RememberedUntilAsync(string jtiKey)
    {
        await using var database = Provider.OpenDatabase();
        await using var command = database.CreateCommand();
        command.CommandText = "SELECT expires_at FROM used_jtis WHERE jti_key = $key";
        command.Parameters.AddWithValue("$key", jtiKey);
        return await command.ExecuteScalarAsync() is long until ? until : null;
    }

    /// <summary>
    /// Moves the provider's clock past the JWTs' exp but not past exp + skew, and waits until the periodic cleanup has
    /// removed every used jti the store considers expired at that time (what a long-running server has done by then).
    /// </summary>
    private async Task MovePastExpiryWithinSkewAsync(TimeSpan lifetime)
    {
        await Provider.FakeTime.StepAsync(lifetime + Skew / 2);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            await using (var database = Provider.OpenDatabase())
            await using (var command = database.CreateCommand())
            {
                command.CommandText = "SELECT COUNT(*) FROM used_jtis WHERE expires_at < $now";
                command.Parameters.AddWithValue("$now", Now.ToUnixTimeMilliseconds());
                if ((long)(await command.ExecuteScalarAsync())! == 0)
                {
                    return;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, "the cleanup of expired jtis did not run after the clock moved");
            await Task.Delay(ClockSteps.StepPause);
        }
    }

    // Item 5: replay windows.

    [Fact]
    public async Task A_client_assertion_replayed_after_its_exp_but_within_the_clock_skew_is_refused()
    {
        var lifetime = TimeSpan.FromSeconds(60);
        var issuedAt = Now;
        var jti = NewId();
        var assertion = Sign(TestClients.JwtKey, AssertionClaims(TestClients.Jwt, issuedAt, lifetime, jti));

        var (first, firstBody) = await AuthorizeAsJwtClientAsync(assertion, "replay " + NewId()[..8]);
        Assert.True(first.StatusCode == HttpStatusCode.OK, firstBody.ToString());

        // The jti is kept as long as the assertion could be accepted: exp plus the skew.
        var exp = issuedAt.Add(lifetime).ToUnixTimeSeconds() * 1000;
        Assert.True(await RememberedUntilAsync($"assertion:{TestClients.Jwt}:{jti}") >= exp + (long)Skew.TotalMilliseconds,
            "the used jti is forgotten before exp + skew");

        await MovePastExpiryWithinSkewAsync(lifetime);

        var (replay, replayBody) = await AuthorizeAsJwtClientAsync(assertion, "replay " + NewId()[..8]);
        AssertRefused(replay, replayBody, HttpStatusCode.Unauthorized, "invalid_client");

        // The same assertion with a jti never used is still within the skew: it was the replay that was refused.
        var fresh = Sign(TestClients.JwtKey, AssertionClaims(TestClients.Jwt, issuedAt, lifetime));
        var (control, controlBody) = await AuthorizeAsJwtClientAsync(fresh, "replay " + NewId()[..8]);
        Assert.True(control.StatusCode == HttpStatusCode.OK, controlBody.ToString());
    }

    [Fact]
    public async Task A_request_object_replayed_after_its_exp_but_within_the_clock_skew_is_refused_and_prompts_nobody_again()
    {
        var lifetime = TimeSpan.FromSeconds(60);
        var issuedAt = Now;
        var bindingMessage = "signed replay " + NewId()[..8];
        var requestObject = Sign(TestClients.SignedKey, RequestObjectClaims(bindingMessage, issuedAt, lifetime));

        var (first, firstBody) = await SendRequestObjectAsync(requestObject);
        Assert.True(first.StatusCode == HttpStatusCode.OK, firstBody.ToString());
        await Provider.Device.ForAsync(bindingMessage);

        await MovePastExpiryWithinSkewAsync(lifetime);

        var (replay, replayBody) = await SendRequestObjectAsync(requestObject);
        AssertRefused(replay, replayBody, HttpStatusCode.BadRequest, "invalid_request");

        // A request object with the same times and a new jti is still accepted, and prompts the user once.
        var otherMessage = "signed control " + NewId()[..8];
        var (control, controlBody) = await SendRequestObjectAsync(Sign(TestClients.SignedKey, RequestObjectClaims(otherMessage, issuedAt, lifetime)));
        Assert.True(control.StatusCode == HttpStatusCode.OK, controlBody.ToString());
        await Provider.Device.ForAsync(otherMessage);

        Assert.Equal(1, await StoredRequestsWithAsync(bindingMessage));
        Assert.Equal(1, Provider.Device.CallsFor(bindingMessage));
    }

    // Item 11: JOSE strictness.

    public static TheoryData<string> Violations => ["unknown-crit-header", "empty-jti", "string-exp"];

    /// <summary>Changes valid claims and header into ones that break one JOSE rule.</summary>
    private static void Break(string violation, Dictionary<string, object> claims, Dictionary<string, object> header)
    {
        switch (violation)
        {
            case "unknown-crit-header":
                // RFC 7515 4.1.11: a recipient that does not understand a listed extension must refuse the JWS.
                header["crit"] = new[] { "urn:example:must-understand" };
                header["urn:example:must-understand"] = true;
                break;
            case "empty-jti":
                claims["jti"] = "";
                break;
            case "string-exp":
                claims["exp"] = ((long)claims["exp"]).ToString(System.Globalization.CultureInfo.InvariantCulture);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(violation));
        }
    }

    [Theory]
    [MemberData(nameof(Violations))]
    public async Task A_client_assertion_breaking_a_jose_rule_is_invalid_client(string violation)
    {
        var valid = Sign(TestClients.JwtKey, AssertionClaims(TestClients.Jwt, Now, TimeSpan.FromMinutes(1)));
        var (accepted, acceptedBody) = await AuthorizeAsJwtClientAsync(valid, "jose " + NewId()[..8]);
        Assert.True(accepted.StatusCode == HttpStatusCode.OK, acceptedBody.ToString());

        var claims = AssertionClaims(TestClients.Jwt, Now, TimeSpan.FromMinutes(1));
        var header = new Dictionary<string, object>();
        Break(violation, claims, header);
        var (response, body) = await AuthorizeAsJwtClientAsync(Sign(TestClients.JwtKey, claims, header), "jose " + NewId()[..8]);

        AssertRefused(response, body, HttpStatusCode.Unauthorized, "invalid_client");
    }

    [Theory]
    [MemberData(nameof(Violations))]
    public async Task A_request_object_breaking_a_jose_rule_is_invalid_request_and_prompts_nobody(string violation)
    {
        var validMessage = "jose ok " + NewId()[..8];
        var (accepted, acceptedBody) = await SendRequestObjectAsync(Sign(TestClients.SignedKey, RequestObjectClaims(validMessage, Now, TimeSpan.FromMinutes(5))));
        Assert.True(accepted.StatusCode == HttpStatusCode.OK, acceptedBody.ToString());

        var bindingMessage = "jose bad " + NewId()[..8];
        var claims = RequestObjectClaims(bindingMessage, Now, TimeSpan.FromMinutes(5));
        var header = new Dictionary<string, object>();
        Break(violation, claims, header);
        var (response, body) = await SendRequestObjectAsync(Sign(TestClients.SignedKey, claims, header));

        AssertRefused(response, body, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Equal(0, await StoredRequestsWithAsync(bindingMessage));
    }
}
