using System.Net;
using System.Text;
using System.Text.Json;
using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests.Hardening;

/// <summary>
/// Issue 16, item 7 (what one request may store: per-parameter caps, bounded authorization_details, a per-client cap on
/// pending requests) and item 16's per-(client, user) rate limit. One provider for the parameter caps; the per-client
/// and per-(client, user) limits each get their own provider with the limit set low.
/// </summary>
public sealed class RequestLimitTests(SharedProvider shared) : IClassFixture<SharedProvider>
{
    private TestProvider Provider => shared.Provider;

    /// <summary>The request was refused with this status and error (an unexpected success shows its body).</summary>
    private static void AssertRefused(HttpResponseMessage response, JsonElement body, HttpStatusCode status, string error)
    {
        Assert.True(response.StatusCode == status, $"expected {(int)status} {error}, got {(int)response.StatusCode}: {body}");
        Assert.Equal(error, body.Error());
    }

    private static string NewBindingMessage() => "limit " + Guid.NewGuid().ToString("N")[..8];

    /// <summary>A request of the poll client for alice with scope openid, with <paramref name="name"/> set to <paramref name="value"/>.</summary>
    private static Task<(HttpResponseMessage Response, JsonElement Body)> AuthorizeWithAsync(TestProvider provider, string name, string value)
    {
        var form = new Dictionary<string, string>
        {
            ["scope"] = "openid",
            ["login_hint"] = "alice",
            ["binding_message"] = NewBindingMessage(),
        };
        if (name is "login_hint_token" or "id_token_hint")
        {
            form.Remove("login_hint");
        }

        form[name] = value;
        return FormRequests.PostAsync(provider.Http, "/bc-authorize", form, (TestClients.Poll, TestClients.PollSecret));
    }

    /// <summary>The protocol error of a refused request (Duende reports an HTTP error by its status instead).</summary>
    private static string ErrorOf(Duende.IdentityModel.Client.ProtocolResponse response) =>
        JsonDocument.Parse(response.Raw!).RootElement.Error();

    /// <summary>How many authentication requests the store holds with this binding message.</summary>
    private static async Task<long> StoredRequestsWithAsync(TestProvider provider, string bindingMessage)
    {
        await using var database = provider.OpenDatabase();
        await using var command = database.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM auth_requests WHERE binding_message = $message";
        command.Parameters.AddWithValue("$message", bindingMessage);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>A value of exactly <paramref name="length"/> characters that the parameter's syntax accepts.</summary>
    private static string ValueOfLength(string parameter, int length) => parameter switch
    {
        "scope" => "openid " + new string('x', length - "openid ".Length),
        "requested_expiry" => new string('9', length),
        "authorization_details" => AuthorizationDetailsOfLength(length),
        "login_hint_token" or "id_token_hint" => "a." + new string('b', length - 4) + ".c",
        _ => new string('a', length),
    };

    /// <summary>A JSON array of one typed object, exactly <paramref name="length"/> characters long.</summary>
    private static string AuthorizationDetailsOfLength(int length)
    {
        const string head = "[{\"type\":\"payment_initiation\",\"note\":\"";
        const string tail = "\"}]";
        return head + new string('n', length - head.Length - tail.Length) + tail;
    }

    [Theory]
    [InlineData("scope", 1024)]
    [InlineData("acr_values", 512)]
    [InlineData("login_hint", 512)]
    [InlineData("login_hint_token", 16 * 1024)]
    [InlineData("id_token_hint", 16 * 1024)]
    [InlineData("user_code", 64)]
    [InlineData("requested_expiry", 32)]
    [InlineData("request_context", 4096)]
    [InlineData("authorization_details", 16 * 1024)]
    public async Task A_parameter_over_its_cap_is_invalid_request_naming_the_parameter(string parameter, int cap)
    {
        var value = ValueOfLength(parameter, cap + 1);
        Assert.Equal(cap + 1, value.Length);

        var (response, body) = await AuthorizeWithAsync(Provider, parameter, value);

        AssertRefused(response, body, HttpStatusCode.BadRequest, "invalid_request");
        var description = body.GetProperty("error_description").GetString();
        Assert.Contains(parameter, description, StringComparison.Ordinal);
        Assert.Contains(cap.ToString(System.Globalization.CultureInfo.InvariantCulture), description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("acr_values", 512)]
    [InlineData("request_context", 4096)]
    [InlineData("authorization_details", 16 * 1024)]
    public async Task A_parameter_at_its_cap_is_accepted(string parameter, int cap)
    {
        var (response, body) = await AuthorizeWithAsync(Provider, parameter, ValueOfLength(parameter, cap));

        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
    }

    [Fact]
    public async Task A_binding_message_over_the_default_maximum_is_invalid_binding_message_and_stored_nowhere()
    {
        var message = NewBindingMessage() + new string('m', 256);
        var (response, body) = await AuthorizeWithAsync(Provider, "binding_message", message);

        AssertRefused(response, body, HttpStatusCode.BadRequest, "invalid_binding_message");
        Assert.Equal(0, await StoredRequestsWithAsync(Provider, message));
    }

    /// <summary>An array with one typed object whose nesting (the array counted) is <paramref name="depth"/> deep.</summary>
    private static string AuthorizationDetailsOfDepth(int depth)
    {
        // [ { "type": ..., "n": { "n": ... {} } } ]: the array and the typed object are two levels.
        var nested = new StringBuilder("{}");
        for (var level = 3; level < depth; level++)
        {
            nested.Insert(0, "{\"n\":").Append('}');
        }

        return depth < 3 ? "[{\"type\":\"t\"}]" : $"[{{\"type\":\"t\",\"n\":{nested}}}]";
    }

    private static string AuthorizationDetailsWithEntries(int entries) =>
        "[" + string.Join(',', Enumerable.Range(0, entries).Select(i => $"{{\"type\":\"account_information\",\"i\":{i}}}")) + "]";

    [Fact]
    public async Task Authorization_details_deeper_than_8_or_with_more_than_32_entries_are_refused()
    {
        var (deep, deepBody) = await AuthorizeWithAsync(Provider, "authorization_details", AuthorizationDetailsOfDepth(9));
        AssertRefused(deep, deepBody, HttpStatusCode.BadRequest, "invalid_authorization_details");

        var (deepest, deepestBody) = await AuthorizeWithAsync(Provider, "authorization_details", AuthorizationDetailsOfDepth(8));
        Assert.True(deepest.StatusCode == HttpStatusCode.OK, deepestBody.ToString());

        var (many, manyBody) = await AuthorizeWithAsync(Provider, "authorization_details", AuthorizationDetailsWithEntries(33));
        AssertRefused(many, manyBody, HttpStatusCode.BadRequest, "invalid_authorization_details");

        var (most, mostBody) = await AuthorizeWithAsync(Provider, "authorization_details", AuthorizationDetailsWithEntries(32));
        Assert.True(most.StatusCode == HttpStatusCode.OK, mostBody.ToString());
    }

    [Fact]
    public async Task A_client_at_its_pending_request_limit_is_refused_until_one_is_decided_and_other_clients_are_not()
    {
        await using var provider = await TestProvider.StartAsync(new Dictionary<string, string?>
        {
            ["Backchannel:Ciba:MaxPendingRequestsPerClient"] = "3",
        }, time: new TestClock());

        var pending = new List<(string BindingMessage, string AuthReqId)>();
        for (var i = 0; i < 3; i++)
        {
            var accepted = await provider.AuthorizeAsync(bindingMessage: NewBindingMessage());
            Assert.False(accepted.IsError, accepted.Raw);
            pending.Add((provider.LastBindingMessage!, accepted.AuthenticationRequestId!));
        }

        await AssertRefusedAsync(provider);

        // Another client's allowance is its own.
        var other = await provider.AuthorizeAsync(clientId: TestClients.NoRefresh, clientSecret: TestClients.NoRefreshSecret);
        Assert.False(other.IsError, other.Raw);

        // An approved (and redeemed) request no longer counts.
        using (var approval = await provider.Device.ApproveAsync(await provider.Device.ForAsync(pending[0].BindingMessage)))
        {
            Assert.Equal(HttpStatusCode.NoContent, approval.StatusCode);
        }

        var tokens = await provider.RedeemAsync(pending[0].AuthReqId);
        Assert.False(tokens.IsError, tokens.ErrorDescription);
        var afterApproval = await provider.AuthorizeAsync();
        Assert.False(afterApproval.IsError, afterApproval.Raw);
        await AssertRefusedAsync(provider);

        // Nor does a denied one.
        using (var denial = await provider.Device.DenyAsync(await provider.Device.ForAsync(pending[1].BindingMessage)))
        {
            Assert.Equal(HttpStatusCode.NoContent, denial.StatusCode);
        }

        var afterDenial = await provider.AuthorizeAsync();
        Assert.False(afterDenial.IsError, afterDenial.Raw);
        await AssertRefusedAsync(provider);
    }

    /// <summary>The poll client's next request is refused as over its pending limit, and nothing of it is stored.</summary>
    private static async Task AssertRefusedAsync(TestProvider provider)
    {
        var bindingMessage = NewBindingMessage();
        var refused = await provider.AuthorizeAsync(bindingMessage: bindingMessage);
        Assert.Equal(HttpStatusCode.Forbidden, refused.HttpStatusCode);
        Assert.Equal("access_denied", ErrorOf(refused));
        Assert.NotNull(refused.HttpResponse!.Headers.RetryAfter);
        Assert.Equal(0, await StoredRequestsWithAsync(provider, bindingMessage));
    }

    [Fact]
    public async Task One_client_over_its_per_user_allowance_does_not_spend_the_users_allowance_for_other_clients()
    {
        await using var provider = await TestProvider.StartAsync(new Dictionary<string, string?>
        {
            ["Backchannel:Ciba:MaxRequestsPerClientAndUserPerMinute"] = "2",
            ["Backchannel:Ciba:MaxRequestsPerUserPerMinute"] = "3",
        }, time: new TestClock());

        for (var i = 0; i < 2; i++)
        {
            var accepted = await provider.AuthorizeAsync("alice");
            Assert.False(accepted.IsError, accepted.Raw);
        }

        // The third request of the same client for alice is over the client's allowance for her.
        var refused = await provider.AuthorizeAsync("alice");
        Assert.Equal(HttpStatusCode.Forbidden, refused.HttpStatusCode);
        Assert.Equal("access_denied", ErrorOf(refused));
        Assert.Equal("60", refused.HttpResponse!.Headers.RetryAfter!.ToString());

        // Another client still reaches alice (the refused request took nothing from her allowance of 3), and the first
        // client still reaches another user.
        var otherClient = await provider.AuthorizeAsync("alice", clientId: TestClients.NoRefresh, clientSecret: TestClients.NoRefreshSecret);
        Assert.False(otherClient.IsError, otherClient.Raw);
        var otherUser = await provider.AuthorizeAsync("bob");
        Assert.False(otherUser.IsError, otherUser.Raw);

        // The per-user limit still holds across clients: alice has had 3 requests this minute.
        var overUser = await provider.AuthorizeAsync("alice", clientId: TestClients.NoRefresh, clientSecret: TestClients.NoRefreshSecret);
        Assert.Equal(HttpStatusCode.Forbidden, overUser.HttpStatusCode);
        Assert.Equal("access_denied", ErrorOf(overUser));
    }
}
