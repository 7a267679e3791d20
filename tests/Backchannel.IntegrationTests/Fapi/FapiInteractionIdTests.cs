using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests.Fapi;

/// <summary>
/// <c>x-fapi-interaction-id</c> on every answer of the client-facing endpoints, for FAPI clients and others alike: the
/// client's UUID echoed, a fresh UUID when it sent none or something else, on successes and errors.
/// </summary>
public class FapiInteractionIdTests(SharedRegistrationProvider shared) : IClassFixture<SharedRegistrationProvider>
{
    private const string Header = FapiTestClient.InteractionIdHeader;

    private TestProvider Provider => shared.Provider;

    private static HttpRequestMessage Request(HttpMethod method, string path, string? interactionId, params (string, string)[] form)
    {
        var request = new HttpRequestMessage(method, path);
        if (form.Length > 0)
        {
            request.Content = new FormUrlEncodedContent(form.Select(p => KeyValuePair.Create(p.Item1, p.Item2)));
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TestClients.Poll}:{TestClients.PollSecret}")));
        if (interactionId is not null)
        {
            request.Headers.TryAddWithoutValidation(Header, interactionId);
        }

        return request;
    }

    public static TheoryData<string, string, int> Endpoints => new()
    {
        { "GET", "/.well-known/openid-configuration", 200 },
        { "GET", "/jwks", 200 },
        { "POST", "/bc-authorize", 200 },
        { "POST", "/bc-authorize?error", 400 },
        { "POST", "/token", 400 },
        { "GET", "/userinfo", 401 },
        { "POST", "/revoke", 200 },
        { "POST", "/introspect", 200 },
        { "POST", "/register", 400 },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task A_uuid_the_client_sends_is_echoed_on_successes_and_errors(string method, string path, int status)
    {
        var interactionId = Guid.NewGuid().ToString();
        var form = path switch
        {
            "/bc-authorize" => new[] { ("scope", "openid"), ("login_hint", "alice"), ("binding_message", "interaction " + interactionId[..8]) },
            "/bc-authorize?error" => [("scope", "openid")],
            "/token" => [("grant_type", "urn:openid:params:grant-type:ciba"), ("auth_req_id", "unknown")],
            "/revoke" or "/introspect" => [("token", "unknown")],
            _ => [],
        };
        using var request = Request(new HttpMethod(method), path.Replace("?error", "", StringComparison.Ordinal), interactionId, form);
        if (path == "/register")
        {
            request.Content = new StringContent("""{"backchannel_token_delivery_mode":"carrier-pigeon"}""", Encoding.UTF8, "application/json");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", SharedRegistrationProvider.InitialAccessToken);
        }

        using var response = await Provider.Http.SendAsync(request);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(interactionId, FapiTestClient.InteractionId(response));
    }

    [Fact]
    public async Task A_request_without_one_gets_a_fresh_uuid_each_time()
    {
        using var first = await Provider.Http.SendAsync(Request(HttpMethod.Get, "/jwks", null));
        using var second = await Provider.Http.SendAsync(Request(HttpMethod.Get, "/jwks", null));

        var ids = new[] { FapiTestClient.InteractionId(first), FapiTestClient.InteractionId(second) };
        Assert.All(ids, id => Assert.True(Guid.TryParseExact(id, "D", out var uuid) && uuid.Version == 4 && (uuid.Variant & 0xC) == 0x8, id));
        Assert.NotEqual(ids[0], ids[1]);
    }

    [Theory]
    [InlineData("not-a-uuid")]
    [InlineData("c7e2b5a4d1f34b1e9d1f2a3b4c5d6e7f")]
    [InlineData("{c7e2b5a4-d1f3-4b1e-9d1f-2a3b4c5d6e7f}")]
    [InlineData("c7e2b5a4-d1f3-4b1e-9d1f-2a3b4c5d6e7f\"; injected=1")]
    [InlineData("")]
    public async Task A_value_that_is_not_a_uuid_is_replaced_by_a_fresh_one(string sent)
    {
        using var response = await Provider.Http.SendAsync(Request(HttpMethod.Post, "/token", sent,
            ("grant_type", "urn:openid:params:grant-type:ciba"), ("auth_req_id", "unknown")));

        var answered = FapiTestClient.InteractionId(response);
        Assert.NotEqual(sent, answered);
        Assert.True(Guid.TryParseExact(answered, "D", out _), answered);
    }

    [Fact]
    public async Task Two_values_are_answered_with_a_fresh_one()
    {
        using var request = Request(HttpMethod.Get, "/jwks", null);
        request.Headers.TryAddWithoutValidation(Header, [Guid.NewGuid().ToString(), Guid.NewGuid().ToString()]);

        using var response = await Provider.Http.SendAsync(request);

        Assert.DoesNotContain(FapiTestClient.InteractionId(response), request.Headers.GetValues(Header));
    }

    [Fact]
    public async Task A_whole_flow_carries_the_clients_interaction_id_through_every_endpoint()
    {
        var interactionId = Guid.NewGuid().ToString().ToUpperInvariant();
        var bindingMessage = "interaction " + Guid.NewGuid().ToString("N")[..8];
        using var authorize = await Provider.Http.SendAsync(Request(HttpMethod.Post, "/bc-authorize", interactionId,
            ("scope", "openid"), ("login_hint", "alice"), ("binding_message", bindingMessage)));
        Assert.Equal(interactionId, FapiTestClient.InteractionId(authorize));
        var authReqId = JsonNode.Parse(await authorize.Content.ReadAsStringAsync())!["auth_req_id"]!.GetValue<string>();
        using (var approval = await Provider.Device.ApproveAsync(await Provider.Device.ForAsync(bindingMessage)))
        {
            Assert.Equal(HttpStatusCode.NoContent, approval.StatusCode);
        }

        using var token = await Provider.Http.SendAsync(Request(HttpMethod.Post, "/token", interactionId,
            ("grant_type", "urn:openid:params:grant-type:ciba"), ("auth_req_id", authReqId)));
        Assert.Equal(HttpStatusCode.OK, token.StatusCode);
        Assert.Equal(interactionId, FapiTestClient.InteractionId(token));

        var accessToken = JsonNode.Parse(await token.Content.ReadAsStringAsync())!["access_token"]!.GetValue<string>();
        using var userInfo = Request(HttpMethod.Get, "/userinfo", interactionId);
        userInfo.Headers.Authorization = FapiTestClient.Bearer(accessToken);
        using var userInfoResponse = await Provider.Http.SendAsync(userInfo);
        Assert.Equal(HttpStatusCode.OK, userInfoResponse.StatusCode);
        Assert.Equal(interactionId, FapiTestClient.InteractionId(userInfoResponse));
    }
}
