using System.Net;
using System.Text.Json;
using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests.Hardening;

/// <summary>
/// Issue 16, item 1 (and the one-answer rule of item 12): a client with a secret may send it either way
/// (client_secret_basic or client_secret_post) unless it registered <c>require_token_endpoint_auth_method</c>; a failed
/// client authentication is 401 invalid_client with <c>WWW-Authenticate: Basic</c> only when the client used the
/// Authorization header, never a Bearer challenge; and every failure reads the same. Before the fix, openid-client v6 with
/// its defaults (client_secret_post) against a client registered for client_secret_basic got
/// <c>401 WWW-Authenticate: Bearer error="invalid_client"</c>. One provider for the class, on the system clock
/// (openid-client keeps its own time, and the client assertions are made from the real time).
/// </summary>
public sealed class ClientAuthenticationInteropTests(ClientAuthenticationInteropTests.Fixture shared)
    : IClassFixture<ClientAuthenticationInteropTests.Fixture>
{
    public sealed class Fixture : SharedProvider
    {
        public const string StrictBasic = "strict-basic-client";
        public const string StrictBasicSecret = "strict-basic-client-secret";
        public const string StrictPost = "strict-post-client";
        public const string StrictPostSecret = "strict-post-client-secret";

        protected override bool FakeClock => false;

        protected override Dictionary<string, string?> Settings() => new()
        {
            ["Backchannel:Clients:8:client_id"] = StrictBasic,
            ["Backchannel:Clients:8:client_secret"] = StrictBasicSecret,
            ["Backchannel:Clients:8:token_endpoint_auth_method"] = "client_secret_basic",
            ["Backchannel:Clients:8:require_token_endpoint_auth_method"] = "true",
            ["Backchannel:Clients:8:backchannel_token_delivery_mode"] = "poll",
            ["Backchannel:Clients:9:client_id"] = StrictPost,
            ["Backchannel:Clients:9:client_secret"] = StrictPostSecret,
            ["Backchannel:Clients:9:token_endpoint_auth_method"] = "client_secret_post",
            ["Backchannel:Clients:9:require_token_endpoint_auth_method"] = "true",
            ["Backchannel:Clients:9:backchannel_token_delivery_mode"] = "poll",
        };
    }

    /// <summary>How a test sends a client secret: HTTP Basic (client_secret_basic) or in the form (client_secret_post).</summary>
    public enum Method
    {
        Basic,
        Post,
    }

    private const string CibaGrant = "urn:openid:params:grant-type:ciba";

    private TestProvider Provider => shared.Provider;

    /// <summary>A form post to <paramref name="path"/> authenticated as <paramref name="clientId"/> the given way.</summary>
    private Task<(HttpResponseMessage Response, JsonElement Body)> PostAsync(string path, Method method, string clientId, string secret,
        params (string Name, string Value)[] form)
    {
        var fields = form.Select(field => KeyValuePair.Create(field.Name, field.Value)).ToList();
        if (method == Method.Post)
        {
            fields.Add(KeyValuePair.Create("client_id", clientId));
            fields.Add(KeyValuePair.Create("client_secret", secret));
            return FormRequests.PostAsync(Provider.Http, path, fields);
        }

        return FormRequests.PostAsync(Provider.Http, path, fields, (clientId, secret));
    }

    /// <summary>A request that gets past client authentication at each endpoint (a new request; an unknown auth_req_id).</summary>
    private static (string Name, string Value)[] FormFor(string path) => path == "/token"
        ? [("grant_type", CibaGrant), ("auth_req_id", "no-such-request-" + Guid.NewGuid().ToString("N"))]
        : [("scope", "openid"), ("login_hint", "alice"), ("binding_message", "auth " + Guid.NewGuid().ToString("N")[..8])];

    /// <summary>Whether the client got past authentication: a new request at /bc-authorize, invalid_grant for the unknown auth_req_id at /token.</summary>
    private static void AssertAuthenticated(string path, HttpResponseMessage response, JsonElement body)
    {
        if (path == "/token")
        {
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest && body.Error() == "invalid_grant", $"{(int)response.StatusCode} {body}");
        }
        else
        {
            Assert.True(response.StatusCode == HttpStatusCode.OK && body.TryGetProperty("auth_req_id", out _), $"{(int)response.StatusCode} {body}");
        }
    }

    [Fact]
    public async Task Openid_client_with_its_default_client_authentication_completes_a_flow_for_a_client_registered_for_basic()
    {
        // openid-client v6, given only the secret, authenticates with client_secret_post at every endpoint; poll-client is
        // registered for client_secret_basic (the default).
        Provider.Device.AutoDecision = "approved";
        try
        {
            var result = await NodeScript.RunAsync("openid-client", "ciba-flow.mjs", Provider.Issuer, TestClients.Poll, TestClients.PollSecret,
                "alice", "default auth " + Guid.NewGuid().ToString("N")[..8], "--default-client-auth");

            Assert.True(result.GetProperty("ok").GetBoolean(), result.ToString());
            Assert.Equal("alice-sub", result.GetProperty("sub").GetString());
            Assert.Equal("Bearer", result.GetProperty("token_type").GetString(), ignoreCase: true);
            Assert.Equal("alice@example.com", result.GetProperty("userinfo_email").GetString());
            Assert.True(result.GetProperty("refreshed").GetProperty("rotated").GetBoolean(), result.ToString());
        }
        finally
        {
            Provider.Device.AutoDecision = null;
        }
    }

    [Theory]
    [InlineData(TestClients.Poll, TestClients.PollSecret, Method.Post)]
    [InlineData(TestClients.Post, TestClients.PostSecret, Method.Basic)]
    public async Task A_secret_client_may_use_the_other_secret_method_for_a_whole_flow(string clientId, string secret, Method method)
    {
        var bindingMessage = "other " + Guid.NewGuid().ToString("N")[..8];
        var (authorization, request) = await PostAsync("/bc-authorize", method, clientId, secret,
            ("scope", "openid"), ("login_hint", "alice"), ("binding_message", bindingMessage));
        Assert.True(authorization.StatusCode == HttpStatusCode.OK, $"{(int)authorization.StatusCode} {request}");

        using (var approval = await Provider.Device.ApproveAsync(await Provider.Device.ForAsync(bindingMessage)))
        {
            Assert.Equal(HttpStatusCode.NoContent, approval.StatusCode);
        }

        var (response, tokens) = await PostAsync("/token", method, clientId, secret,
            ("grant_type", CibaGrant), ("auth_req_id", request.GetProperty("auth_req_id").GetString()!));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {tokens}");
        Assert.True(tokens.TryGetProperty("access_token", out _));
        Assert.True(tokens.TryGetProperty("id_token", out _));
    }

    [Theory]
    [InlineData("/bc-authorize", TestClients.Poll)]
    [InlineData("/token", TestClients.Poll)]
    [InlineData("/bc-authorize", TestClients.Post)]
    [InlineData("/token", TestClients.Post)]
    public async Task A_wrong_secret_in_the_authorization_header_is_401_invalid_client_with_a_basic_challenge(string path, string clientId)
    {
        var (response, body) = await PostAsync(path, Method.Basic, clientId, "wrong-secret", FormFor(path));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", body.Error());
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Basic", challenge.Scheme);
        Assert.DoesNotContain("Bearer", string.Join(",", response.Headers.GetValues("WWW-Authenticate")), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("/bc-authorize", TestClients.Poll)]
    [InlineData("/token", TestClients.Poll)]
    [InlineData("/bc-authorize", TestClients.Post)]
    [InlineData("/token", TestClients.Post)]
    public async Task A_wrong_secret_in_the_body_is_invalid_client_without_any_challenge(string path, string clientId)
    {
        var (response, body) = await PostAsync(path, Method.Post, clientId, "wrong-secret", FormFor(path));

        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.BadRequest });
        Assert.Equal("invalid_client", body.Error());
        Assert.False(response.Headers.Contains("WWW-Authenticate"),
            "No challenge when the client did not use the Authorization header: " + string.Join(",", response.Headers.WwwAuthenticate));
    }

    [Theory]
    [InlineData("/bc-authorize")]
    [InlineData("/token")]
    public async Task A_client_that_requires_its_registered_method_is_refused_with_the_other_one(string path)
    {
        // Each strict client authenticates with its own method...
        var (response, body) = await PostAsync(path, Method.Basic, Fixture.StrictBasic, Fixture.StrictBasicSecret, FormFor(path));
        AssertAuthenticated(path, response, body);
        (response, body) = await PostAsync(path, Method.Post, Fixture.StrictPost, Fixture.StrictPostSecret, FormFor(path));
        AssertAuthenticated(path, response, body);

        // ...and not with the other, even with the right secret.
        (response, body) = await PostAsync(path, Method.Post, Fixture.StrictBasic, Fixture.StrictBasicSecret, FormFor(path));
        Assert.Equal("invalid_client", body.Error());
        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.BadRequest });
        Assert.False(response.Headers.Contains("WWW-Authenticate"));

        (response, body) = await PostAsync(path, Method.Basic, Fixture.StrictPost, Fixture.StrictPostSecret, FormFor(path));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", body.Error());
        Assert.Equal("Basic", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Theory]
    [InlineData("/bc-authorize")]
    [InlineData("/token")]
    public async Task Unknown_client_wrong_secret_and_wrong_method_get_the_same_description(string path)
    {
        var assertionType = ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
        var failures = new List<(string Case, HttpResponseMessage Response, JsonElement Body)>();
        async Task Try(string name, Task<(HttpResponseMessage, JsonElement)> attempt)
        {
            var (response, body) = await attempt;
            failures.Add((name, response, body));
        }

        await Try("unknown client, basic", PostAsync(path, Method.Basic, "no-such-client", "secret", FormFor(path)));
        await Try("unknown client, post", PostAsync(path, Method.Post, "no-such-client", "secret", FormFor(path)));
        await Try("wrong secret, basic", PostAsync(path, Method.Basic, TestClients.Poll, "wrong", FormFor(path)));
        await Try("wrong secret, post", PostAsync(path, Method.Post, TestClients.Poll, "wrong", FormFor(path)));
        await Try("secret for a private_key_jwt client", PostAsync(path, Method.Basic, TestClients.Jwt, "guess", FormFor(path)));
        await Try("assertion for a secret client", FormRequests.PostAsync(Provider.Http, path,
        [
            .. FormFor(path).Select(field => KeyValuePair.Create(field.Name, field.Value)),
            KeyValuePair.Create(assertionType.Item1, assertionType.Item2),
            KeyValuePair.Create("client_assertion", TestJwts.ClientAssertion(TestClients.JwtKey, TestClients.Poll, Provider.Issuer)),
        ]));
        await Try("assertion of an unknown client", FormRequests.PostAsync(Provider.Http, path,
        [
            .. FormFor(path).Select(field => KeyValuePair.Create(field.Name, field.Value)),
            KeyValuePair.Create(assertionType.Item1, assertionType.Item2),
            KeyValuePair.Create("client_assertion", TestJwts.ClientAssertion(TestClients.JwtKey, "no-such-client", Provider.Issuer)),
        ]));
        await Try("strict client, other method", PostAsync(path, Method.Post, Fixture.StrictBasic, Fixture.StrictBasicSecret, FormFor(path)));
        await Try("no credentials", FormRequests.PostAsync(Provider.Http, path,
            [.. FormFor(path).Select(field => KeyValuePair.Create(field.Name, field.Value)), KeyValuePair.Create("client_id", TestClients.Poll)]));

        foreach (var (name, _, body) in failures)
        {
            Assert.True(body.ValueKind == JsonValueKind.Object && body.Error() == "invalid_client", $"{name}: {body}");
        }

        var descriptions = failures.Select(failure => failure.Body.GetProperty("error_description").GetString()).Distinct().ToList();
        Assert.True(descriptions.Count == 1,
            "Every failure must read the same:\n" + string.Join("\n", failures.Select(f => $"{f.Case}: {f.Body.GetProperty("error_description")}")));
        foreach (var telling in new[] { TestClients.Poll, TestClients.Jwt, "no-such-client", "client_secret", "private_key_jwt", "Unknown" })
        {
            Assert.DoesNotContain(telling, descriptions[0]!, StringComparison.OrdinalIgnoreCase);
        }
    }
}
