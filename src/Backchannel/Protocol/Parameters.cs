namespace Backchannel.Protocol;

/// <summary>Names of request parameters and JWT claims.</summary>
public static class Parameters
{
    public const string ClientId = "client_id";
    public const string ClientSecret = "client_secret";
    public const string ClientAssertion = "client_assertion";
    public const string ClientAssertionType = "client_assertion_type";
    public const string Scope = "scope";
    public const string ClientNotificationToken = "client_notification_token";
    public const string AcrValues = "acr_values";
    public const string LoginHintToken = "login_hint_token";
    public const string IdTokenHint = "id_token_hint";
    public const string LoginHint = "login_hint";
    public const string BindingMessage = "binding_message";
    public const string UserCode = "user_code";
    public const string RequestedExpiry = "requested_expiry";
    public const string RequestContext = "request_context";
    public const string AuthorizationDetails = "authorization_details";
    public const string Request = "request";
    public const string GrantType = "grant_type";
    public const string AuthReqId = "auth_req_id";
    public const string RefreshToken = "refresh_token";
    public const string AccessToken = "access_token";

    // RFC 7009 and RFC 7662: revocation and introspection.
    public const string Token = "token";
    public const string TokenTypeHint = "token_type_hint";

    /// <summary>The authentication parameters that, in a signed request, must be inside the request object only.</summary>
    public static readonly IReadOnlyList<string> AuthenticationRequestParameters =
    [
        Scope, ClientNotificationToken, AcrValues, LoginHintToken, IdTokenHint, LoginHint, BindingMessage, UserCode,
        RequestedExpiry, RequestContext, AuthorizationDetails,
    ];
}
