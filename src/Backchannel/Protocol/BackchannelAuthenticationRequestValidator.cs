using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

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

    /// <summary>The longest value each parameter may have (what the store keeps and the device is shown is bounded).</summary>
    public static readonly IReadOnlyDictionary<string, int> MaxLengths = new Dictionary<string, int>
    {
        [Parameters.Scope] = 1024,
        [Parameters.AcrValues] = 512,
        [Parameters.LoginHint] = 512,
        [Parameters.LoginHintToken] = 16 * 1024,
        [Parameters.IdTokenHint] = 16 * 1024,
        [Parameters.UserCode] = 64,
        [Parameters.RequestedExpiry] = 32,
        [Parameters.RequestContext] = 4096,
        [Parameters.AuthorizationDetails] = AuthorizationDetailsMaxLength,
    };

    /// <summary>authorization_details: at most this long, this deep and this many entries (RFC 9396 leaves the bounds to the server).</summary>
    public const int AuthorizationDetailsMaxLength = 16 * 1024;

    public const int AuthorizationDetailsMaxDepth = 8;

    public const int AuthorizationDetailsMaxEntries = 32;

    public static ProtocolResult<ValidatedAuthenticationParameters> Validate(
        BackchannelAuthenticationParameters parameters, AuthenticationRequestPolicy policy)
    {
        if (TooLong(parameters) is { } tooLong)
        {
            return tooLong;
        }

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

        if (policy.SupportedScopes is { } supported && scopes.FirstOrDefault(s => !supported.Contains(s)) is { } unknown)
        {
            return ProtocolError.InvalidScope($"The scope '{Describe(unknown)}' is not offered by this provider.");
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

        if (policy.AllowedHintKinds is { } allowedHints && !allowedHints.Contains(hint.Value.Kind))
        {
            return ProtocolError.UnauthorizedClient(
                $"The client may not name the user with {HintTypes.Name(hint.Value.Kind)}; it registered backchannel_allowed_hint_types: " +
                $"{string.Join(", ", HintTypes.All.Where(h => allowedHints.Contains(HintTypes.Kind(h)!.Value)))}.");
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

        if (parameters.BindingMessage is null && policy.BindingMessageRequired)
        {
            return new ProtocolError(ErrorCodes.InvalidBindingMessage,
                "This client must send a binding_message (it registered backchannel_binding_message_required).");
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
            BindingMessage = parameters.BindingMessage is { } message ? ToFormC(message) ?? message : null,
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
            return new UserHint(UserHintKind.LoginHint, loginHint);
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

    /// <summary>RFC 6750 b64token: letters, digits, -._~+/ then optional trailing =.</summary>
    public static bool IsB64Token(string token)
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

    /// <summary>
    /// binding_message: at most the configured length, matching the configured pattern, and only characters that show
    /// what they are (checked on its NFC form): no control, format, line or paragraph separator, private-use, unassigned
    /// or lone surrogate characters (Unicode categories Cc, Cf, Zl, Zp, Co, Cn, Cs; the zero-width joiner and non-joiner
    /// that emoji sequences and some scripts need are allowed), no invisible fillers, and no more than
    /// <see cref="MaxCombiningMarks"/> combining marks on one character.
    /// </summary>
    public static ProtocolError? ValidateBindingMessage(string bindingMessage, AuthenticationRequestPolicy policy)
    {
        if (bindingMessage.Length > policy.BindingMessageMaxLength)
        {
            return new ProtocolError(ErrorCodes.InvalidBindingMessage,
                $"binding_message is longer than {policy.BindingMessageMaxLength} characters; keep it short enough to show on a phone.");
        }

        if (DeceptiveCharacter(bindingMessage) is { } problem)
        {
            return new ProtocolError(ErrorCodes.InvalidBindingMessage,
                $"binding_message must show what it says: it has {problem}.");
        }

        var normalized = ToFormC(bindingMessage) ?? bindingMessage;
        if (policy.BindingMessagePattern is { } pattern && !Matches(pattern, normalized))
        {
            return new ProtocolError(ErrorCodes.InvalidBindingMessage,
                $"binding_message does not match the pattern this provider requires ({pattern}).");
        }

        if (policy.ClientBindingMessagePattern is { } clientPattern && !Matches(clientPattern, normalized))
        {
            return new ProtocolError(ErrorCodes.InvalidBindingMessage,
                $"binding_message does not match the pattern this client registered ({clientPattern}).");
        }

        return null;
    }

    /// <summary>A match that takes longer than the pattern's timeout is no match (a client's pattern may be anyone's).</summary>
    private static bool Matches(Regex pattern, string text)
    {
        try
        {
            return pattern.IsMatch(text);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    /// <summary>The most combining marks (Mn, Me) one character may carry; more is "Zalgo" text that hides what it covers.</summary>
    public const int MaxCombiningMarks = 4;

    /// <summary>What makes a text deceptive (a description for the client), or null; the text is judged in its NFC form.</summary>
    public static string? DeceptiveCharacter(string text)
    {
        if (ToFormC(text) is not { } normalized)
        {
            return "a lone surrogate";
        }

        var marks = 0;
        foreach (var rune in normalized.EnumerateRunes())
        {
            // Fillers first: some of them (Khmer, Mongolian) are themselves combining marks.
            if (InvisibleFillers.Contains(rune.Value))
            {
                return $"the invisible character U+{rune.Value:X4}";
            }

            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark)
            {
                if (++marks > MaxCombiningMarks)
                {
                    return $"more than {MaxCombiningMarks} combining marks on one character";
                }

                continue;
            }

            marks = 0;
            if (rune.Value is 0x200C or 0x200D)
            {
                continue; // zero-width non-joiner and joiner: Persian, Indic scripts, emoji sequences
            }

            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.Surrogate)
            {
                return $"the invisible or control character U+{rune.Value:X4} ({category})";
            }
        }

        return null;
    }

    /// <summary>
    /// The NFC form of <paramref name="text"/>; null when it is not valid UTF-16 (a lone surrogate). In a process running
    /// in globalization-invariant mode .NET cannot normalise, and the text is returned as it is
    /// (<see cref="NormalizationAvailable"/>).
    /// </summary>
    public static string? ToFormC(string text)
    {
        for (var i = 0; i < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return null;
            }

            i += consumed;
        }

        return text.IsNormalized(NormalizationForm.FormC) ? text : text.Normalize(NormalizationForm.FormC);
    }

    /// <summary>Whether this process can normalise text (not in globalization-invariant mode, where .NET leaves text as it is).</summary>
    public static bool NormalizationAvailable { get; } = "e\u0301".Normalize(NormalizationForm.FormC) == "\u00e9";

    /// <summary>Default-ignorable letters and blanks that render as nothing (Hangul and Khmer fillers, Mongolian selectors, the Braille blank).</summary>
    private static readonly HashSet<int> InvisibleFillers = [0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D, 0x180E, 0x180F, 0x2800, 0x3164, 0xFFA0];

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

    private static ProtocolError? TooLong(BackchannelAuthenticationParameters parameters)
    {
        foreach (var (name, value) in new[]
                 {
                     (Parameters.Scope, parameters.Scope), (Parameters.AcrValues, parameters.AcrValues), (Parameters.LoginHint, parameters.LoginHint),
                     (Parameters.LoginHintToken, parameters.LoginHintToken), (Parameters.IdTokenHint, parameters.IdTokenHint),
                     (Parameters.UserCode, parameters.UserCode), (Parameters.RequestedExpiry, parameters.RequestedExpiry),
                     (Parameters.RequestContext, parameters.RequestContext), (Parameters.AuthorizationDetails, parameters.AuthorizationDetails),
                 })
        {
            if (value is not null && value.Length > MaxLengths[name])
            {
                return ProtocolError.InvalidRequest($"{name} is longer than {MaxLengths[name]} characters.");
            }
        }

        return null;
    }

    private static ProtocolError? ValidateAuthorizationDetails(string json)
    {
        var error = new ProtocolError(ErrorCodes.InvalidAuthorizationDetails,
            $"authorization_details must be a JSON array of at most {AuthorizationDetailsMaxEntries} objects, each with a string 'type' (RFC 9396), nested at most {AuthorizationDetailsMaxDepth} deep.");
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = AuthorizationDetailsMaxDepth });
            if (document.RootElement.ValueKind != JsonValueKind.Array || document.RootElement.GetArrayLength() > AuthorizationDetailsMaxEntries)
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
