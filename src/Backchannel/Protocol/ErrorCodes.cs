namespace Backchannel.Protocol;

/// <summary>The error codes of OAuth 2.0, OpenID Connect and CIBA that this provider answers with.</summary>
public static class ErrorCodes
{
    public const string InvalidRequest = "invalid_request";
    public const string InvalidClient = "invalid_client";
    public const string InvalidGrant = "invalid_grant";
    public const string InvalidScope = "invalid_scope";
    public const string UnauthorizedClient = "unauthorized_client";
    public const string UnsupportedGrantType = "unsupported_grant_type";
    public const string AccessDenied = "access_denied";
    public const string InvalidToken = "invalid_token";
    public const string InsufficientScope = "insufficient_scope";
    public const string ServerError = "server_error";
    public const string TemporarilyUnavailable = "temporarily_unavailable";

    // CIBA Core 1.0, section 13 and 11
    public const string ExpiredLoginHintToken = "expired_login_hint_token";
    public const string UnknownUserId = "unknown_user_id";
    public const string MissingUserCode = "missing_user_code";
    public const string InvalidUserCode = "invalid_user_code";
    public const string InvalidBindingMessage = "invalid_binding_message";
    public const string AuthorizationPending = "authorization_pending";
    public const string SlowDown = "slow_down";
    public const string ExpiredToken = "expired_token";
    public const string TransactionFailed = "transaction_failed";

    // RFC 7591
    public const string InvalidClientMetadata = "invalid_client_metadata";
    public const string InvalidRedirectUri = "invalid_redirect_uri";

    // RFC 9449 (DPoP)
    public const string InvalidDpopProof = "invalid_dpop_proof";
    public const string UseDpopNonce = "use_dpop_nonce";

    // RFC 9396
    public const string InvalidAuthorizationDetails = "invalid_authorization_details";
}
