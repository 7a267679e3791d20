using System.Text.Json;
using Backchannel.Domain;
using Backchannel.Protocol;

namespace Backchannel.Users;

/// <summary>RFC 9493 subject identifiers, as carried in a login_hint_token's <c>sub_id</c>.</summary>
public static class SubjectIdentifier
{
    /// <summary>Which attribute of the directory a subject identifier names, and its value.</summary>
    public static ProtocolResult<(UserAttribute Attribute, string Value)> Parse(JsonElement subId, string issuer)
    {
        var format = Format(subId);
        switch (format)
        {
            case "email" when Member(subId, "email") is { } email:
                return (UserAttribute.Email, email);
            case "phone_number" when Member(subId, "phone_number") is { } phone:
                return (UserAttribute.PhoneNumber, phone);
            case "opaque" when Member(subId, "id") is { } id:
                return (UserAttribute.Subject, id);
            case "username" when Member(subId, "username") is { } username:
                return (UserAttribute.Username, username);
            case "iss_sub" when Member(subId, "iss") is { } iss && Member(subId, "sub") is { } sub:
                return iss.TrimEnd('/') == issuer
                    ? (UserAttribute.Subject, sub)
                    : ProtocolError.InvalidRequest("login_hint_token's iss_sub names another issuer.");
            case "account" when Member(subId, "uri") is { } uri && uri.StartsWith("acct:", StringComparison.OrdinalIgnoreCase):
                return (UserAttribute.Email, uri[5..]);
            case null:
                return ProtocolError.InvalidRequest("login_hint_token's sub_id has no format.");
            default:
                return ProtocolError.InvalidRequest(
                    $"login_hint_token's sub_id format '{format}' is not supported or lacks its member (email, phone_number, opaque, username, iss_sub, account).");
        }
    }

    /// <summary>The <c>format</c> of a subject identifier, or null when it has none.</summary>
    public static string? Format(JsonElement subId) => Member(subId, "format");

    private static string? Member(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } s ? s : null;
}
