namespace Backchannel.Protocol;

/// <summary>
/// The RFC 9493 subject identifier formats a login_hint_token's <c>sub_id</c> may have here: listed in discovery as
/// <c>backchannel_endpoint_login_hint_token_types_supported</c>, and what a client may register in
/// <c>backchannel_endpoint_login_hint_token_types</c> (FAPI-CIBA).
/// </summary>
public static class LoginHintTokenTypes
{
    public const string Email = "email";
    public const string PhoneNumber = "phone_number";
    public const string Opaque = "opaque";
    public const string Username = "username";
    public const string IssSub = "iss_sub";
    public const string Account = "account";

    public static readonly IReadOnlyList<string> Supported = [Email, PhoneNumber, Opaque, Username, IssSub, Account];
}
