using System.Text.RegularExpressions;
using Backchannel.Protocol;

namespace Backchannel.Tests;

public class BackchannelAuthenticationRequestValidatorTests
{
    private const string ValidNotificationToken = "8d67dc78-7faa-4d41-aabd-67707b374255";

    private static readonly BackchannelAuthenticationParameters Valid = new()
    {
        Scope = "openid email",
        LoginHint = "alice@example.com",
    };

    private static AuthenticationRequestPolicy Poll => new() { DeliveryMode = DeliveryModes.Poll };

    private static AuthenticationRequestPolicy Ping => new() { DeliveryMode = DeliveryModes.Ping };

    private static AuthenticationRequestPolicy Push => new() { DeliveryMode = DeliveryModes.Push };

    private static ProtocolError Fails(BackchannelAuthenticationParameters parameters, AuthenticationRequestPolicy policy, string expectedError)
    {
        var result = BackchannelAuthenticationRequestValidator.Validate(parameters, policy);
        Assert.False(result.Succeeded, "the request should have been refused with " + expectedError);
        Assert.Equal(expectedError, result.Error.Error);
        Assert.Equal(400, result.Error.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(result.Error.Description));
        return result.Error;
    }

    private static ValidatedAuthenticationParameters Succeeds(BackchannelAuthenticationParameters parameters, AuthenticationRequestPolicy policy)
    {
        var result = BackchannelAuthenticationRequestValidator.Validate(parameters, policy);
        Assert.True(result.Succeeded, result.Error?.ToString());
        return result.Value;
    }

    // scope

    [Fact]
    public void Missing_scope_is_invalid_request()
    {
        Fails(Valid with { Scope = null }, Poll, ErrorCodes.InvalidRequest);
    }

    [Theory]
    [InlineData("email profile")]
    [InlineData("OpenID email")]
    [InlineData("   ")]
    public void Scope_without_openid_is_invalid_scope(string scope)
    {
        Fails(Valid with { Scope = scope }, Poll, ErrorCodes.InvalidScope);
    }

    [Theory]
    [InlineData("openid em\"ail")]
    [InlineData("openid back\\slash")]
    [InlineData("openid caf\u00e9")]
    [InlineData("openid tab\u0009ped")]
    public void Scope_with_characters_outside_rfc6749_is_invalid_scope(string scope)
    {
        Fails(Valid with { Scope = scope }, Poll, ErrorCodes.InvalidScope);
    }

    [Fact]
    public void Scope_the_client_may_not_request_is_invalid_scope()
    {
        var policy = Poll with { AllowedScopes = new HashSet<string> { "openid", "email" } };

        var error = Fails(Valid with { Scope = "openid email payments" }, policy, ErrorCodes.InvalidScope);

        Assert.Contains("payments", error.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Scopes_within_the_clients_allowed_scopes_are_accepted_in_any_order()
    {
        var policy = Poll with { AllowedScopes = new HashSet<string> { "openid", "email", "profile" } };

        var validated = Succeeds(Valid with { Scope = "profile email openid" }, policy);

        Assert.Equal(["profile", "email", "openid"], validated.Scopes);
    }

    // hints

    [Fact]
    public void No_hint_is_invalid_request()
    {
        Fails(Valid with { LoginHint = null }, Poll, ErrorCodes.InvalidRequest);
    }

    [Theory]
    [InlineData(true, true, false)]
    [InlineData(true, false, true)]
    [InlineData(false, true, true)]
    [InlineData(true, true, true)]
    public void More_than_one_hint_is_invalid_request(bool loginHint, bool loginHintToken, bool idTokenHint)
    {
        var parameters = Valid with
        {
            LoginHint = loginHint ? "alice" : null,
            LoginHintToken = loginHintToken ? "eyJhbGciOiJFUzI1NiJ9.e30.c2ln" : null,
            IdTokenHint = idTokenHint ? "eyJhbGciOiJSUzI1NiJ9.e30.c2ln" : null,
        };

        Fails(parameters, Poll, ErrorCodes.InvalidRequest);
    }

    [Fact]
    public void Login_hint_token_alone_is_the_hint()
    {
        var validated = Succeeds(Valid with { LoginHint = null, LoginHintToken = "a.b.c" }, Poll);

        Assert.Equal(new UserHint(UserHintKind.LoginHintToken, "a.b.c"), validated.Hint);
    }

    [Fact]
    public void Id_token_hint_alone_is_the_hint()
    {
        var validated = Succeeds(Valid with { LoginHint = null, IdTokenHint = "x.y.z" }, Poll);

        Assert.Equal(new UserHint(UserHintKind.IdTokenHint, "x.y.z"), validated.Hint);
    }

    [Fact]
    public void Login_hint_longer_than_512_characters_is_invalid_request()
    {
        Fails(Valid with { LoginHint = new string('a', 513) }, Poll, ErrorCodes.InvalidRequest);
        Succeeds(Valid with { LoginHint = new string('a', 512) }, Poll);
    }

    // client_notification_token

    [Fact]
    public void Ping_without_client_notification_token_is_invalid_request()
    {
        Fails(Valid, Ping, ErrorCodes.InvalidRequest);
    }

    [Fact]
    public void Push_without_client_notification_token_is_invalid_request()
    {
        Fails(Valid, Push, ErrorCodes.InvalidRequest);
    }

    [Fact]
    public void Client_notification_token_longer_than_1024_characters_is_invalid_request()
    {
        Fails(Valid with { ClientNotificationToken = new string('a', 1025) }, Ping, ErrorCodes.InvalidRequest);
    }

    [Fact]
    public void Client_notification_token_of_exactly_1024_characters_is_accepted()
    {
        var token = new string('a', 1024);

        var validated = Succeeds(Valid with { ClientNotificationToken = token }, Ping);

        Assert.Equal(token, validated.ClientNotificationToken);
    }

    [Fact]
    public void Client_notification_token_shorter_than_22_characters_is_invalid_request()
    {
        Fails(Valid with { ClientNotificationToken = new string('a', 21) }, Push, ErrorCodes.InvalidRequest);
        Succeeds(Valid with { ClientNotificationToken = new string('a', 22) }, Push);
    }

    [Theory]
    [InlineData("has a space in the middle of it")]
    [InlineData("padding=in-the-middle-of-the-token")]
    [InlineData("=======================")]
    [InlineData("quote\"quote\"quote\"quote\"")]
    [InlineData("non-ascii-\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9")]
    [InlineData("comma,comma,comma,comma,comma")]
    public void Client_notification_token_outside_b64token_syntax_is_invalid_request(string token)
    {
        Fails(Valid with { ClientNotificationToken = token }, Ping, ErrorCodes.InvalidRequest);
    }

    [Theory]
    [InlineData("AZaz09-._~+/AZaz09-._~+/")]
    [InlineData("dGhpcyBpcyBhIGJhc2U2NCB0b2tlbg==")]
    public void Client_notification_token_in_b64token_syntax_is_accepted(string token)
    {
        var validated = Succeeds(Valid with { ClientNotificationToken = token }, Ping);

        Assert.Equal(token, validated.ClientNotificationToken);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("short")]
    [InlineData("not a b64token at all!")]
    public void Poll_ignores_the_client_notification_token(string? token)
    {
        var validated = Succeeds(Valid with { ClientNotificationToken = token }, Poll);

        Assert.Null(validated.ClientNotificationToken);
    }

    // binding_message

    [Fact]
    public void Binding_message_longer_than_the_maximum_is_invalid_binding_message()
    {
        var policy = Poll with { BindingMessageMaxLength = 20 };

        Fails(Valid with { BindingMessage = new string('x', 21) }, policy, ErrorCodes.InvalidBindingMessage);
        Assert.Equal(new string('x', 20), Succeeds(Valid with { BindingMessage = new string('x', 20) }, policy).BindingMessage);
    }

    [Theory]
    [InlineData("line one\nline two")]
    [InlineData("carriage\rreturn")]
    [InlineData("bell\u0007")]
    [InlineData("nul\u0000byte")]
    [InlineData("delete\u007F")]
    [InlineData("c1\u0085control")]
    [InlineData("pay 10 EUR to \u202Etxe.CMEA")]
    [InlineData("isolate \u2067hidden\u2069")]
    [InlineData("zero\u200Bwidth space")]
    [InlineData("byte order \uFEFFmark")]
    public void Binding_message_with_control_characters_is_invalid_binding_message(string message)
    {
        Fails(Valid with { BindingMessage = message }, Poll, ErrorCodes.InvalidBindingMessage);
    }

    [Fact]
    public void Binding_message_not_matching_the_pattern_is_invalid_binding_message()
    {
        var policy = Poll with { BindingMessagePattern = new Regex("^[A-Z0-9 ]+$") };

        Fails(Valid with { BindingMessage = "lower case" }, policy, ErrorCodes.InvalidBindingMessage);
        Assert.Equal("CODE 42", Succeeds(Valid with { BindingMessage = "CODE 42" }, policy).BindingMessage);
    }

    [Theory]
    [InlineData("Pay \u20ac10 to \U0001F431 Caf\u00e9 \U0001F44D")]
    [InlineData("\u00dcberweisung an Zo\u00eb: \u65e5\u672c\u8a9e")]
    [InlineData("\u0645\u0631\u062d\u0628\u0627")]
    [InlineData("family \U0001F468\u200D\U0001F469\u200D\U0001F467")]
    public void Binding_message_with_emoji_and_non_ascii_text_is_accepted(string message)
    {
        var validated = Succeeds(Valid with { BindingMessage = message }, Poll);

        Assert.Equal(message, validated.BindingMessage);
    }

    // user_code

    [Fact]
    public void User_code_required_by_policy_and_missing_is_missing_user_code()
    {
        Fails(Valid, Poll with { UserCodeRequired = true }, ErrorCodes.MissingUserCode);
    }

    [Fact]
    public void User_code_required_by_policy_and_present_is_carried()
    {
        var validated = Succeeds(Valid with { UserCode = "1234" }, Poll with { UserCodeRequired = true });

        Assert.Equal("1234", validated.UserCode);
    }

    [Fact]
    public void User_code_not_required_is_dropped()
    {
        var validated = Succeeds(Valid with { UserCode = "1234" }, Poll);

        Assert.Null(validated.UserCode);
    }

    // requested_expiry

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("")]
    [InlineData(" 300")]
    [InlineData("+300")]
    [InlineData("3e2")]
    [InlineData("\u0663\u0660\u0660")]
    public void Requested_expiry_that_is_not_a_positive_integer_is_invalid_request(string requestedExpiry)
    {
        Fails(Valid with { RequestedExpiry = requestedExpiry }, Poll, ErrorCodes.InvalidRequest);
    }

    [Fact]
    public void Requested_expiry_within_the_maximum_is_granted()
    {
        var validated = Succeeds(Valid with { RequestedExpiry = "300" }, Poll with { MaxExpirySeconds = 600 });

        Assert.Equal(300, validated.ExpirySeconds);
    }

    [Theory]
    [InlineData("601")]
    [InlineData("86400")]
    [InlineData("2147483648")]
    [InlineData("99999999999999999999999999")]
    public void Requested_expiry_larger_than_the_maximum_is_capped(string requestedExpiry)
    {
        var validated = Succeeds(Valid with { RequestedExpiry = requestedExpiry }, Poll with { MaxExpirySeconds = 600 });

        Assert.Equal(600, validated.ExpirySeconds);
    }

    [Fact]
    public void Absent_requested_expiry_gets_the_default()
    {
        var validated = Succeeds(Valid, Poll with { DefaultExpirySeconds = 77 });

        Assert.Equal(77, validated.ExpirySeconds);
    }

    // acr_values

    [Fact]
    public void Acr_values_with_characters_outside_rfc6749_is_invalid_request()
    {
        Fails(Valid with { AcrValues = "urn:acr:\"quoted\"" }, Poll, ErrorCodes.InvalidRequest);
    }

    // authorization_details

    [Theory]
    [InlineData("{\"type\":\"payment_initiation\"}")]
    [InlineData("\"payment_initiation\"")]
    [InlineData("[{\"amount\":\"10.00\"}]")]
    [InlineData("[{\"type\":\"\"}]")]
    [InlineData("[{\"type\":42}]")]
    [InlineData("[\"payment_initiation\"]")]
    [InlineData("[{\"type\":\"a\"}, {\"locations\":[]}]")]
    [InlineData("[{\"type\":")]
    [InlineData("not json")]
    public void Authorization_details_not_an_array_of_typed_objects_is_invalid_authorization_details(string details)
    {
        Fails(Valid with { AuthorizationDetails = details }, Poll, ErrorCodes.InvalidAuthorizationDetails);
    }

    [Fact]
    public void Authorization_details_with_types_are_carried()
    {
        const string details = "[{\"type\":\"payment_initiation\",\"instructedAmount\":{\"currency\":\"EUR\",\"amount\":\"123.50\"}}]";

        var validated = Succeeds(Valid with { AuthorizationDetails = details }, Poll);

        Assert.Equal(details, validated.AuthorizationDetails);
    }

    // the whole request

    [Fact]
    public void Fully_valid_request_returns_every_validated_parameter()
    {
        var parameters = new BackchannelAuthenticationParameters
        {
            Scope = "openid email openid profile",
            ClientNotificationToken = ValidNotificationToken,
            AcrValues = "urn:acr:high urn:acr:low",
            LoginHint = "alice@example.com",
            BindingMessage = "W4SCT",
            UserCode = "4321",
            RequestedExpiry = "300",
            RequestContext = "{\"channel\":\"branch\"}",
            AuthorizationDetails = "[{\"type\":\"account_information\"}]",
        };
        var policy = new AuthenticationRequestPolicy
        {
            DeliveryMode = DeliveryModes.Ping,
            UserCodeRequired = true,
            AllowedScopes = new HashSet<string> { "openid", "email", "profile" },
            DefaultExpirySeconds = 120,
            MaxExpirySeconds = 1800,
        };

        var validated = Succeeds(parameters, policy);

        Assert.Equal(["openid", "email", "profile"], validated.Scopes);
        Assert.Equal("openid email profile", validated.Scope);
        Assert.Equal(new UserHint(UserHintKind.LoginHint, "alice@example.com"), validated.Hint);
        Assert.Equal(ValidNotificationToken, validated.ClientNotificationToken);
        Assert.Equal("urn:acr:high urn:acr:low", validated.AcrValues);
        Assert.Equal("W4SCT", validated.BindingMessage);
        Assert.Equal("4321", validated.UserCode);
        Assert.Equal(300, validated.ExpirySeconds);
        Assert.Equal("{\"channel\":\"branch\"}", validated.RequestContext);
        Assert.Equal("[{\"type\":\"account_information\"}]", validated.AuthorizationDetails);
    }

    [Fact]
    public void Minimal_poll_request_has_defaults()
    {
        var validated = Succeeds(Valid, Poll);

        Assert.Equal(["openid", "email"], validated.Scopes);
        Assert.Equal(new UserHint(UserHintKind.LoginHint, "alice@example.com"), validated.Hint);
        Assert.Null(validated.ClientNotificationToken);
        Assert.Null(validated.AcrValues);
        Assert.Null(validated.BindingMessage);
        Assert.Null(validated.UserCode);
        Assert.Equal(120, validated.ExpirySeconds);
        Assert.Null(validated.RequestContext);
        Assert.Null(validated.AuthorizationDetails);
    }
}
