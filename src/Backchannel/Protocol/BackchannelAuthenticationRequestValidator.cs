using System.Globalization;
using System.Text.Json;

namespace Backchannel.Protocol;

/// <summary>
/// The syntactic and policy rules of a backchannel authentication request (CIBA Core 1.0, section 7.1), before the
/// user is looked up. Pure: no I/O, no clock.
/// </summary>
public static class BackchannelAuthenticationRequestValidator
{
    /// <summary>RFC 6750 b64token limit the specification sets for client_notification_token.</summary>
    public const int ClientNotificationTokenMaxLength = 1024;

    /// <summary>A shorter token cannot carry the 128 bits of entropy the specification requires (22 base64url characters).</summary>
    public const int ClientNotificationTokenMinLength = 22;

    public static ProtocolResult<ValidatedAuthenticationParameters> Validate(
        BackchannelAuthenticationParameters parameters, AuthenticationRequestPolicy policy)
    {
        if (parameters.Scope is null)
        {
            return ProtocolError.InvalidRequest("The scope parameter is required and must include openid.");
        }

        var scopes = Scopes.Parse(parameters.Scope);
        if (scopes.FirstOrDefault(s => !Scopes.IsValidToken(s)) is { } badScope)
        {
            return ProtocolError.InvalidScope($"The scope '{Describe(badScope)}' has characters RFC 6749 does not allow.");
        }

        if (!scopes.Contains(Scopes.OpenId))
        {
            return ProtocolError.InvalidScope("The scope must include openid.");
        }

        if (policy.AllowedScopes is { } allowed && scopes.FirstOrDefault(s => !allowed.Contains(s)) is { } notAllowed)
        {
            return ProtocolError.InvalidScope($"The client may not request the scope '{notAllowed}'.");
        }

        var hint = ValidateHints(parameters);
        if (!hint.Succeeded)
        {
            return hint.Error;
        }

        string? notificationToken = null;
        if (DeliveryModes.Notifies(policy.DeliveryMode))
        {
            var tokenError = ValidateClientNotificationToken(parameters.ClientNotificationToken);
            if (tokenError is not null)
            {
                return tokenError;
            }

            notificationToken = parameters.ClientNotificationToken;
        }

        if (parameters.BindingMessage is { } bindingMessage && ValidateBindingMessage(bindingMessage, policy) is { } bindingError)
        {
            return bindingError;
        }

        if (policy.UserCodeRequired && parameters.UserCode is null)
        {
            return new ProtocolError(ErrorCodes.MissingUserCode, "This client must send the user's user_code.");
        }

        var expiry = ValidateRequestedExpiry(parameters.RequestedExpiry, policy);
        if (!expiry.Succeeded)
        {
            return expiry.Error;
        }

        if (parameters.AcrValues is { } acrValues && Scopes.Parse(acrValues).Any(a => !Scopes.IsValidToken(a)))
        {
            return ProtocolError.InvalidRequest("acr_values must be space-separated values of printable ASCII characters.");
        }

        if (parameters.AuthorizationDetails is { } details && ValidateAuthorizationDetails(details) is { } detailsError)
        {
            return detailsError;
        }

        return new ValidatedAuthenticationParameters
        {
            Scopes = scopes,
            Hint = hint.Value,
            ClientNotificationToken = notificationToken,
            AcrValues = parameters.AcrValues,
            BindingMessage = parameters.BindingMessage,
            UserCode = policy.UserCodeRequired ? parameters.UserCode : null,
            ExpirySeconds = expiry.Value,
            RequestContext = parameters.RequestContext,
            AuthorizationDetails = parameters.AuthorizationDetails,
        };
    }

    private static ProtocolResult<UserHint> ValidateHints(BackchannelAuthenticationParameters parameters)
    {
        var count = (parameters.LoginHint is null ? 0 : 1)
            + (parameters.LoginHintToken is null ? 0 : 1)
            + (parameters.IdTokenHint is null ? 0 : 1);
        if (count != 1)
        {
            return ProtocolError.InvalidRequest(count == 0
                ? "One of login_hint, login_hint_token or id_token_hint is required to identify the user."
                : "Send exactly one of login_hint, login_hint_token and id_token_hint.");
        }

        if (parameters.LoginHint is { } loginHint)
        {
            return loginHint.Length > 512
                ? ProtocolError.InvalidRequest("login_hint is longer than 512 characters.")
                : new UserHint(UserHintKind.LoginHint, loginHint);
        }

        if (parameters.LoginHintToken is { } loginHintToken)
        {
            return new UserHint(UserHintKind.LoginHintToken, loginHintToken);
        }

        return new UserHint(UserHintKind.IdTokenHint, parameters.IdTokenHint!);
    }

    /// <summary>client_notification_token: RFC 6750 b64token syntax, at most 1024 characters, at least 128 bits.</summary>
    public static ProtocolError? ValidateClientNotificationToken(string? token)
    {
        if (token is null)
        {
            return ProtocolError.InvalidRequest("client_notification_token is required for ping and push clients.");
        }

        if (token.Length > ClientNotificationTokenMaxLength)
        {
            return ProtocolError.InvalidRequest($"client_notification_token is longer than {ClientNotificationTokenMaxLength} characters.");
        }

        if (token.Length < ClientNotificationTokenMinLength)
        {
            return ProtocolError.InvalidRequest(
                $"client_notification_token must carry at least 128 bits of entropy ({ClientNotificationTokenMinLength} or more characters).");
        }

        if (!IsB64Token(token))
        {
            return ProtocolError.InvalidRequest(
                "client_notification_token must use the RFC 6750 b64token syntax: letters, digits, '-', '.', '_', '~', '+', '/', then optional '='.");
        }

        return null;
    }

    private static bool IsB64Token(string token)
    {
        var i = 0;
        for (; i < token.Length; i++)
        {
            var c = token[i];
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or '+' or '/'))
            {
                break;
            }
        }

        if (i == 0)
        {
            return false;
        }

        for (; i < token.Length; i++)
        {
            if (token[i] != '=')
            {
                return false;
            }
        }

        return true;
    }

    public static ProtocolError? ValidateBindingMessage(string bindingMessage, AuthenticationRequestPolicy policy)
    {
        if (bindingMessage.Length > policy.BindingMessageMaxLength)
        {
            return new ProtocolError(ErrorCodes.InvalidBindingMessage,
                $"binding_message is longer than {policy.BindingMessageMaxLength} characters; keep it short enough to show on a phone.");
        }

        foreach (var c in bindingMessage)
        {
            if (char.IsControl(c) || IsDeceptiveFormatting(c))
            {
                return new ProtocolError(ErrorCodes.InvalidBindingMessage,
                    "binding_message must not contain control characters, bidirectional overrides or invisible characters.");
            }
        }

        if (policy.BindingMessagePattern is { } pattern && !pattern.IsMatch(bindingMessage))
        {
            return new ProtocolError(ErrorCodes.InvalidBindingMessage,
                $"binding_message does not match the pattern this provider requires ({pattern}).");
        }

        return null;
    }

    /// <summary>
    /// Characters that can make the message the user reads differ from what the client meant: bidirectional embeddings,
    /// overrides and isolates, and invisible spaces. Joiners stay allowed (emoji sequences use them).
    /// </summary>
    private static bool IsDeceptiveFormatting(char c) =>
        c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') or '\u200B' or '\u200E' or '\u200F' or '\u2060' or '\uFEFF' or '\u061C';

    private static ProtocolResult<int> ValidateRequestedExpiry(string? requestedExpiry, AuthenticationRequestPolicy policy)
    {
        if (requestedExpiry is null)
        {
            return policy.DefaultExpirySeconds;
        }

        if (requestedExpiry.Length == 0 || !requestedExpiry.All(char.IsAsciiDigit) || requestedExpiry.All(c => c == '0'))
        {
            return ProtocolError.InvalidRequest("requested_expiry must be a positive integer number of seconds.");
        }

        // Any positive integer is valid; one too large for a long is simply more than the maximum.
        return long.TryParse(requestedExpiry, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? (int)Math.Min(seconds, policy.MaxExpirySeconds)
            : policy.MaxExpirySeconds;
    }

    private static ProtocolError? ValidateAuthorizationDetails(string json)
    {
        var error = new ProtocolError(ErrorCodes.InvalidAuthorizationDetails,
            "authorization_details must be a JSON array of objects, each with a string 'type' (RFC 9396).");
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return error;
            }

            foreach (var element in document.RootElement.EnumerateArray())
            {
                if (element.ValueKind != JsonValueKind.Object
                    || !element.TryGetProperty("type", out var type)
                    || type.ValueKind != JsonValueKind.String
                    || string.IsNullOrEmpty(type.GetString()))
                {
                    return error;
                }
            }

            return null;
        }
        catch (JsonException)
        {
            return error;
        }
    }

    private static string Describe(string value) => value.Length > 40 ? value[..40] + "..." : value;
}
