namespace Backchannel.Protocol;

/// <summary>The authentication parameters of a backchannel authentication request, as received (form or request object).</summary>
public sealed record BackchannelAuthenticationParameters
{
    public string? Scope { get; init; }
    public string? ClientNotificationToken { get; init; }
    public string? AcrValues { get; init; }
    public string? LoginHintToken { get; init; }
    public string? IdTokenHint { get; init; }
    public string? LoginHint { get; init; }
    public string? BindingMessage { get; init; }
    public string? UserCode { get; init; }

    /// <summary>As received: a form value, or the JSON number or string of a request object.</summary>
    public string? RequestedExpiry { get; init; }

    public string? RequestContext { get; init; }

    /// <summary>A JSON array (RFC 9396).</summary>
    public string? AuthorizationDetails { get; init; }

    public static BackchannelAuthenticationParameters FromForm(RequestParameters form) => new()
    {
        Scope = form[Parameters.Scope],
        ClientNotificationToken = form[Parameters.ClientNotificationToken],
        AcrValues = form[Parameters.AcrValues],
        LoginHintToken = form[Parameters.LoginHintToken],
        IdTokenHint = form[Parameters.IdTokenHint],
        LoginHint = form[Parameters.LoginHint],
        BindingMessage = form[Parameters.BindingMessage],
        UserCode = form[Parameters.UserCode],
        RequestedExpiry = form[Parameters.RequestedExpiry],
        RequestContext = form[Parameters.RequestContext],
        AuthorizationDetails = form[Parameters.AuthorizationDetails],
    };
}
