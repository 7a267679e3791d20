using Backchannel.Domain;
using Backchannel.Protocol;
using Backchannel.Tokens;

namespace Backchannel.Grants;

/// <summary>
/// The client_credentials grant (RFC 6749 4.4): an access token for the authenticated client itself, for the provider's
/// own APIs. It grants only the scopes of <see cref="Scopes.ClientCredentials"/> (the admin API's), and each only to a
/// client that lists it in its <c>scope</c> metadata; without a <c>scope</c> parameter, all of those the client lists.
/// No user is involved: no ID token, no refresh token.
/// </summary>
public sealed class ClientCredentialsGrantHandler(TokenIssuer tokens)
{
    public ValueTask<ProtocolResult<IssuedTokens>> HandleAsync(RequestParameters form, Client client, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Handle(form, client));

    private ProtocolResult<IssuedTokens> Handle(RequestParameters form, Client client)
    {
        var scope = GrantedScope(form[Parameters.Scope], client);
        return scope.Succeeded ? tokens.IssueForClient(client.ClientId, scope.Value) : scope.Error;
    }

    /// <summary>The scope to grant <paramref name="client"/> for <paramref name="requested"/> (null: its default), or invalid_scope.</summary>
    public static ProtocolResult<string> GrantedScope(string? requested, Client client)
    {
        var mayHave = Scopes.ClientCredentials.Where(s => client.AllowedScopes?.Contains(s) == true).ToList();
        if (requested is null)
        {
            return mayHave.Count > 0
                ? string.Join(' ', mayHave)
                : ProtocolError.InvalidScope(
                    $"The client lists none of the scopes the client_credentials grant grants ({string.Join(", ", Scopes.ClientCredentials)}) in its scope metadata.");
        }

        var asked = Scopes.Parse(requested);
        if (asked.Count == 0)
        {
            return ProtocolError.InvalidScope("The scope parameter is empty.");
        }

        if (asked.FirstOrDefault(s => !mayHave.Contains(s)) is { } refused)
        {
            return ProtocolError.InvalidScope(Scopes.ClientCredentials.Contains(refused)
                ? $"The client may not have the scope '{Shortened(refused)}': it is not in the client's scope metadata."
                : $"The client_credentials grant does not grant the scope '{Shortened(refused)}' (only {string.Join(", ", Scopes.ClientCredentials)}).");
        }

        return string.Join(' ', asked);
    }

    private static string Shortened(string scope) => scope.Length > 40 ? scope[..40] + "..." : scope;
}
