using Backchannel.Domain;
using Backchannel.Protocol;

namespace Backchannel.Grants;

/// <summary>
/// The token endpoint's work: dispatch on grant_type to the CIBA grant, the refresh token grant or the client_credentials
/// grant. A DPoP key the request proved (its thumbprint, already verified) binds the access token of the user's grants.
/// Under a FAPI profile the access token of the user's grants must be sender-constrained (<see cref="FapiRules.CheckTokenRequest"/>).
/// </summary>
public sealed class TokenRequestHandler(CibaGrantHandler ciba, RefreshTokenGrantHandler refresh, ClientCredentialsGrantHandler clientCredentials)
{
    public ValueTask<ProtocolResult<IssuedTokens>> HandleAsync(RequestParameters form, Client client, string? dpopKeyThumbprint,
        CancellationToken cancellationToken)
    {
        var grantType = form[Parameters.GrantType];
        if (grantType is null)
        {
            return ValueTask.FromResult<ProtocolResult<IssuedTokens>>(ProtocolError.InvalidRequest("grant_type is required."));
        }

        if (!GrantTypes.Supported.Contains(grantType))
        {
            return ValueTask.FromResult<ProtocolResult<IssuedTokens>>(new ProtocolError(ErrorCodes.UnsupportedGrantType,
                $"The grant type '{grantType}' is not supported (use {string.Join(" or ", GrantTypes.Supported)})."));
        }

        if (!client.MayUse(grantType))
        {
            return ValueTask.FromResult<ProtocolResult<IssuedTokens>>(
                ProtocolError.UnauthorizedClient($"The client is not registered for the {grantType} grant."));
        }

        if (grantType is GrantTypes.Ciba or GrantTypes.RefreshToken && SenderConstraintError(client, dpopKeyThumbprint) is { } unconstrained)
        {
            return ValueTask.FromResult<ProtocolResult<IssuedTokens>>(unconstrained);
        }

        return grantType switch
        {
            GrantTypes.Ciba => ciba.HandleAsync(form, client, dpopKeyThumbprint, cancellationToken),
            GrantTypes.ClientCredentials => clientCredentials.HandleAsync(form, client, cancellationToken),
            _ => refresh.HandleAsync(form, client, dpopKeyThumbprint, cancellationToken),
        };
    }

    /// <summary>
    /// The user's access token must be sender-constrained as the client's FAPI profile says (<see cref="FapiRules.CheckTokenRequest"/>).
    /// A client registered for certificate-bound tokens gets none: this provider has no mutual TLS to bind them with, and
    /// issues no token rather than a bearer one.
    /// </summary>
    private static ProtocolError? SenderConstraintError(Client client, string? dpopKeyThumbprint) =>
        FapiRules.CheckTokenRequest(client.FapiProfile, client.CertificateBoundAccessTokens, dpopKeyThumbprint is not null)
        ?? (client.CertificateBoundAccessTokens ? CertificateBindingUnavailable : null);

    private static readonly ProtocolError CertificateBindingUnavailable = ProtocolError.InvalidRequest(
        "The client registered tls_client_certificate_bound_access_tokens, but this provider cannot bind access tokens to a TLS client " +
        "certificate (mutual TLS is not available); it issues no token rather than an unbound one.");
}
