using Backchannel.Abstractions;
using Backchannel.Diagnostics;
using Backchannel.Domain;
using Backchannel.Protocol;
using Microsoft.Extensions.Options;

namespace Backchannel.Clients;

/// <summary>
/// Dynamic client registration (RFC 7591) and its management (RFC 7592): the provider chooses the client_id, the client
/// secret (for the secret methods) and a registration access token, returns them once and keeps only their SHA-256. The
/// metadata goes through <see cref="ClientMetadataValidator"/>, like configured clients; the writes go through
/// <see cref="ClientCatalog"/>, each one conditional statement of the store. Only clients of
/// <see cref="ClientSources.Registration"/> can be managed, and only with their own registration access token.
/// </summary>
public sealed class ClientRegistrationService(ClientCatalog catalog, ProviderUrls urls, IOptions<RegistrationOptions> options,
    ClientValidationSettings settings, AuditLog audit)
{
    private static readonly ProtocolError InvalidRegistrationAccessToken =
        new(ErrorCodes.InvalidToken, "The registration access token is not valid for this client.", 401);

    /// <summary>
    /// POST /register: whether the request may register a client. With <c>Registration:InitialAccessToken</c> set it must
    /// carry one of those tokens as its bearer token (compared in constant time); otherwise registration is open.
    /// </summary>
    public ProtocolError? CheckInitialAccessToken(string? bearerToken)
    {
        var hashes = options.Value.InitialAccessTokenHashes;
        if (hashes.Count == 0)
        {
            return null;
        }

        if (string.IsNullOrEmpty(bearerToken))
        {
            audit.RegistrationRefused("no initial access token", null);
            return new ProtocolError(ErrorCodes.InvalidToken, "Registering a client needs an initial access token (Authorization: Bearer).", 401);
        }

        var matches = false;
        foreach (var hash in hashes)
        {
            matches |= SecretHash.Matches(bearerToken, hash);
        }

        if (!matches)
        {
            audit.RegistrationRefused("wrong initial access token", null);
            return new ProtocolError(ErrorCodes.InvalidToken, "The initial access token is not valid.", 401);
        }

        return null;
    }

    /// <summary>
    /// Registers a client from <paramref name="metadata"/> (whose client_id and client_secret, if any, are replaced by the
    /// provider's): its client information, with the secret and the registration access token, or invalid_client_metadata.
    /// </summary>
    public async Task<ProtocolResult<ClientInformationResponse>> RegisterAsync(ClientMetadata metadata, CancellationToken cancellationToken)
    {
        if ((OperatorOnlyScope(metadata) ?? OperatorOnlyProfile(metadata)) is { } refused)
        {
            return refused;
        }

        var secret = ClientCredentials.UsesSecret(metadata) ? ClientCredentials.NewSecret() : null;
        var token = ClientCredentials.NewSecret();
        metadata.ClientSecret = secret;

        // A client_id already taken (by chance, or by a configured client) is chosen again.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            metadata.ClientId = ClientCredentials.NewClientId();
            var write = await catalog.AddAsync(metadata, ClientSources.Registration, SecretHash.Compute(token), cancellationToken);
            if (write.Validation.Client is not { } client)
            {
                return InvalidMetadata(write.Validation);
            }

            if (write.Stored is { } stored)
            {
                audit.ClientRegistered(client.ClientId, client.DeliveryMode);
                return Information(stored, write.Validation.Metadata!, secret, token);
            }
        }

        throw new InvalidOperationException("No free client_id was found in three random draws of 128 bits.");
    }

    /// <summary>
    /// GET, PUT and DELETE /register/{client_id}: the registered client, if <paramref name="bearerToken"/> is its
    /// registration access token. An unknown client, a configured one and a wrong token get the same 401.
    /// </summary>
    public async Task<ProtocolResult<StoredClient>> AuthorizeAsync(string clientId, string? bearerToken, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(bearerToken))
        {
            audit.RegistrationRefused("no registration access token", clientId);
            return new ProtocolError(ErrorCodes.InvalidToken, "Managing a client needs its registration access token (Authorization: Bearer).", 401);
        }

        var stored = await catalog.FindStoredAsync(clientId, cancellationToken);
        if (stored is not { Source: ClientSources.Registration, RegistrationAccessTokenHash: { } hash } || !SecretHash.Matches(bearerToken, hash))
        {
            audit.RegistrationRefused("wrong registration access token", clientId);
            return InvalidRegistrationAccessToken;
        }

        return stored;
    }

    /// <summary>GET: the client information of <paramref name="client"/>, with the token it was read with (never the secret).</summary>
    public ClientInformationResponse Read(StoredClient client, string registrationAccessToken) =>
        Information(client, ClientCatalog.ReadMetadata(client)
            ?? throw new InvalidOperationException($"The stored metadata of client {client.ClientId} is not readable."), null, registrationAccessToken);

    /// <summary>
    /// PUT: replaces the metadata of <paramref name="client"/> with <paramref name="metadata"/>, which must name its
    /// client_id and may carry its client_secret only unchanged (RFC 7592 2.2). A client that moves to a secret method
    /// without having a secret gets one; with <c>Registration:RotateAccessToken</c> a new registration access token.
    /// </summary>
    public async Task<ProtocolResult<ClientInformationResponse>> UpdateAsync(StoredClient client, string registrationAccessToken, ClientMetadata metadata,
        CancellationToken cancellationToken)
    {
        if (metadata.ClientId != client.ClientId)
        {
            return ProtocolError.InvalidRequest("The body must carry the client's client_id, the one of its registration_client_uri (RFC 7592 2.2).");
        }

        if ((OperatorOnlyScope(metadata) ?? OperatorOnlyProfile(metadata)) is { } refused)
        {
            return refused;
        }

        if (metadata.ClientSecret is { } presented && (client.SecretHash is null || !SecretHash.Matches(presented, client.SecretHash)))
        {
            return ClientMetadataJson.Invalid("client_secret must be the client's current secret, or absent: a client cannot choose its secret.");
        }

        string? newSecret = null;
        if (ClientCredentials.UsesSecret(metadata) && client.SecretHash is null)
        {
            newSecret = ClientCredentials.NewSecret();
            metadata.ClientSecret = newSecret;
        }

        var rotate = options.Value.RotateAccessToken;
        var token = rotate ? ClientCredentials.NewSecret() : registrationAccessToken;
        var write = await catalog.ReplaceRegisteredAsync(client, metadata, SecretHash.Compute(token), cancellationToken);
        if (write.Validation.Client is null)
        {
            return InvalidMetadata(write.Validation);
        }

        // Gone, or changed with a rotated token, since it was read: the token presented is no longer the client's.
        if (write.Stored is not { } stored)
        {
            return InvalidRegistrationAccessToken;
        }

        audit.ClientUpdated(client.ClientId, rotate);
        return Information(stored, write.Validation.Metadata!, newSecret, token);
    }

    /// <summary>DELETE: removes <paramref name="client"/>; it can no longer authenticate, so its requests cannot be redeemed.</summary>
    public async Task<ProtocolError?> DeleteAsync(StoredClient client, CancellationToken cancellationToken)
    {
        if (!await catalog.DeleteRegisteredAsync(client, cancellationToken))
        {
            return InvalidRegistrationAccessToken;
        }

        audit.ClientDeleted(client.ClientId);
        return null;
    }

    /// <summary>
    /// The admin API's scope is an operator's to grant (<c>Backchannel:Clients</c> or the admin API), never a registrant's:
    /// whoever holds an initial access token (anyone, with open registration) would otherwise make itself an operator.
    /// </summary>
    private static ProtocolError? OperatorOnlyScope(ClientMetadata metadata) =>
        Scopes.Parse(metadata.Scope).Contains(Scopes.Admin)
            ? ClientMetadataJson.Invalid($"scope {Scopes.Admin} cannot be registered: an operator grants it (Backchannel:Clients or the admin API).")
            : null;

    /// <summary>
    /// Under a provider-wide FAPI profile a client may choose the other FAPI profile through registration, never None: only
    /// an operator (Backchannel:Clients or the admin API) exempts a client from the provider's profile.
    /// </summary>
    private ProtocolError? OperatorOnlyProfile(ClientMetadata metadata) =>
        settings.FapiProfile != FapiProfile.None && FapiProfiles.TryParse(metadata.FapiProfile, out var profile) && profile == FapiProfile.None
            ? ClientMetadataJson.Invalid($"fapi_profile None cannot be registered: this provider holds its clients to {FapiProfiles.Name(settings.FapiProfile)} " +
                "(Fapi:Profile), and only an operator exempts a client (Backchannel:Clients or the admin API).")
            : null;

    private static ProtocolError InvalidMetadata(ClientValidationResult validation) => ClientMetadataJson.Invalid(validation.Describe());

    private ClientInformationResponse Information(StoredClient stored, ClientMetadata registered, string? secret, string registrationAccessToken) => new()
    {
        ClientSecret = secret,
        ClientIdIssuedAt = stored.CreatedAt.ToUnixTimeSeconds(),
        ClientSecretExpiresAt = stored.SecretHash is null ? null : 0,
        RegistrationAccessToken = registrationAccessToken,
        RegistrationClientUri = urls.Endpoint(EndpointPaths.RegisteredClientPath(stored.ClientId)),
        Metadata = ClientInformationResponse.Members(registered),
    };
}
