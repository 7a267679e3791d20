using Backchannel.Domain;
using Backchannel.Protocol;

namespace Backchannel.Grants;

/// <summary>
/// The token endpoint's work: dispatch on grant_type to the CIBA grant, the refresh token grant or the client_credentials
/// grant. A DPoP key the request proved (its thumbprint, already verified) binds the access token of the user's grants.
/// Under a FAPI profile the access token of the user's grants must be sender-constrained (<see cref="FapiRules.CheckTokenRequest"/>):
/// bound to the request's client certificate, or under Fapi2Ciba to its DPoP key.
/// </summary>
public sealed class TokenRequestHandler(CibaGrantHandler ciba, RefreshTokenGrantHandler refresh, ClientCredentialsGrantHandler clientCredentials)
{
    /// <param name="certificateThumbprint">
    /// The x5t#S256 of the client certificate the access token of the user's grants is bound to (RFC 8705 3), for a client
    /// that registered tls_client_certificate_bound_access_tokens; null: none.
    /// </param>
    public ValueTask<ProtocolResult<IssuedTokens>> HandleAsync(RequestParameters form, Client client, string? dpopKeyThumbprint,
        CancellationToken cancellationToken, string? certificateThumbprint = null)
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

        if (grantType is GrantTypes.Ciba or GrantTypes.RefreshToken
            && FapiRules.CheckTokenRequest(client.FapiProfile, certificateThumbprint is not null, dpopKeyThumbprint is not null) is { } unconstrained)
        {
            return ValueTask.FromResult<ProtocolResult<IssuedTokens>>(unconstrained);
        }

        return grantType switch
        {
            GrantTypes.Ciba => ciba.HandleAsync(form, client, dpopKeyThumbprint, cancellationToken, certificateThumbprint),
            GrantTypes.ClientCredentials => clientCredentials.HandleAsync(form, client, cancellationToken),
            _ => refresh.HandleAsync(form, client, dpopKeyThumbprint, cancellationToken, certificateThumbprint),
        };
    }
}
