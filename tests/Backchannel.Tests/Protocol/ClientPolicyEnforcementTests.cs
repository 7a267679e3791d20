using System.Text.RegularExpressions;
using Backchannel.Protocol;

namespace Backchannel.Tests;

/// <summary>A client's own policy as the backchannel authentication request validator enforces it.</summary>
public class ClientPolicyEnforcementTests
{
    private static readonly AuthenticationRequestPolicy Poll = new() { DeliveryMode = DeliveryModes.Poll };

    private static BackchannelAuthenticationParameters Request(string? loginHint = "alice", string? bindingMessage = null,
        string? loginHintToken = null, string? idTokenHint = null) => new()
    {
        Scope = "openid",
        LoginHint = loginHint,
        LoginHintToken = loginHintToken,
        IdTokenHint = idTokenHint,
        BindingMessage = bindingMessage,
    };

    private static ProtocolError Refused(BackchannelAuthenticationParameters parameters, AuthenticationRequestPolicy policy)
    {
        var result = BackchannelAuthenticationRequestValidator.Validate(parameters, policy);
        Assert.False(result.Succeeded, "the request should have been refused");
        Assert.Equal(400, result.Error.StatusCode);
        return result.Error;
    }

    private static ValidatedAuthenticationParameters Accepted(BackchannelAuthenticationParameters parameters, AuthenticationRequestPolicy policy)
    {
        var result = BackchannelAuthenticationRequestValidator.Validate(parameters, policy);
        Assert.True(result.Succeeded, result.Error?.ToString());
        return result.Value;
    }

    [Theory]
    [InlineData(UserHintKind.LoginHint, "login_hint")]
    [InlineData(UserHintKind.LoginHintToken, "login_hint_token")]
    [InlineData(UserHintKind.IdTokenHint, "id_token_hint")]
    public void A_hint_the_client_may_not_use_is_unauthorized_client_naming_it(UserHintKind refusedKind, string name)
    {
        var allowed = Enum.GetValues<UserHintKind>().Where(k => k != refusedKind).ToHashSet();
        var parameters = refusedKind switch
        {
            UserHintKind.LoginHint => Request(),
            UserHintKind.LoginHintToken => Request(loginHint: null, loginHintToken: "a.b.c"),
            _ => Request(loginHint: null, idTokenHint: "a.b.c"),
        };

        var error = Refused(parameters, Poll with { AllowedHintKinds = allowed });

        Assert.Equal(ErrorCodes.UnauthorizedClient, error.Error);
        Assert.Contains($"with {name};", error.Description, StringComparison.Ordinal);
        Assert.Equal(refusedKind, Accepted(parameters, Poll).Hint.Kind);
    }

    [Fact]
    public void Two_hints_are_invalid_request_before_the_clients_hint_policy()
    {
        var error = Refused(Request(loginHintToken: "a.b.c"), Poll with { AllowedHintKinds = new HashSet<UserHintKind> { UserHintKind.IdTokenHint } });

        Assert.Equal(ErrorCodes.InvalidRequest, error.Error);
    }

    [Fact]
    public void A_required_binding_message_that_is_missing_is_invalid_binding_message()
    {
        var policy = Poll with { BindingMessageRequired = true };

        var error = Refused(Request(), policy);

        Assert.Equal(ErrorCodes.InvalidBindingMessage, error.Error);
        Assert.Contains("backchannel_binding_message_required", error.Description, StringComparison.Ordinal);
        Assert.Equal("Order 1", Accepted(Request(bindingMessage: "Order 1"), policy).BindingMessage);
    }

    [Fact]
    public void The_clients_pattern_applies_besides_the_providers()
    {
        var policy = Poll with
        {
            BindingMessagePattern = new Regex("^[A-Za-z0-9 ]+$"),
            ClientBindingMessagePattern = new Regex("^Order [0-9]{4}$", RegexOptions.NonBacktracking, TimeSpan.FromMilliseconds(100)),
        };

        Accepted(Request(bindingMessage: "Order 1234"), policy);
        var clientRefusal = Refused(Request(bindingMessage: "Order 12"), policy);
        var providerRefusal = Refused(Request(bindingMessage: "Order-1234"), policy);

        Assert.Equal(ErrorCodes.InvalidBindingMessage, clientRefusal.Error);
        Assert.Contains("this client registered", clientRefusal.Description, StringComparison.Ordinal);
        Assert.Equal(ErrorCodes.InvalidBindingMessage, providerRefusal.Error);
        Assert.Contains("this provider requires", providerRefusal.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void A_client_pattern_that_times_out_is_no_match()
    {
        // The backtracking engine is given here on purpose, with the shortest timeout: the timeout is no match, not a failure.
        var policy = Poll with { ClientBindingMessagePattern = new Regex("^(a+)+$", RegexOptions.None, TimeSpan.FromTicks(1)) };

        var error = Refused(Request(bindingMessage: new string('a', 40) + "!"), policy);

        Assert.Equal(ErrorCodes.InvalidBindingMessage, error.Error);
    }
}
