using System.Globalization;
using System.Text.Json.Nodes;
using Backchannel.Abstractions;
using Backchannel.Clients;
using Backchannel.Domain;
using Backchannel.Protocol;

namespace Backchannel.Admin;

/// <summary>
/// The admin API's clients, written through <see cref="ClientCatalog"/> (its conditional add and replace) and so checked
/// by the one validator that serves the settings and registration. A client is shown as its registered metadata (RFC 7591 names) with <c>source</c>,
/// <c>created_at</c> and <c>updated_at</c>; its secret never (create answers a generated or given secret once). Clients
/// of <c>Backchannel:Clients</c> are read-only here: the settings rewrite them at every start.
/// </summary>
public sealed class ClientAdministration(ClientCatalog catalog, IClientStore store)
{
    private const int Attempts = 3;

    public async Task<Page<JsonObject>> ListAsync(string? after, int limit, CancellationToken cancellationToken)
    {
        var clients = await store.ListAsync(after, limit + 1, cancellationToken);
        return AdminPaging.PageOf(clients, limit, View, client => client.ClientId);
    }

    public async Task<ProtocolResult<Tagged<JsonObject>>> ReadAsync(string clientId, CancellationToken cancellationToken) =>
        await store.FindAsync(clientId, cancellationToken) is { } client ? WithTag(client) : Missing(clientId);

    /// <summary>
    /// Registers a client. Without a client_id one is generated; a client of a secret method without a client_secret gets
    /// a generated one. The answer shows the secret, this once.
    /// </summary>
    public async Task<ProtocolResult<Tagged<JsonObject>>> CreateAsync(ClientMetadata metadata, CancellationToken cancellationToken)
    {
        metadata.ClientId ??= ClientCredentials.NewClientId();
        if (ClientCredentials.UsesSecret(metadata) && string.IsNullOrEmpty(metadata.ClientSecret))
        {
            metadata.ClientSecret = ClientCredentials.NewSecret();
        }

        var added = await catalog.AddAsync(metadata, ClientSources.Admin, registrationAccessTokenHash: null, cancellationToken);
        if (added.Validation.Client is null)
        {
            return InvalidMetadata(added.Validation);
        }

        if (added.Stored is not { } stored)
        {
            return AdminErrors.Conflicting($"A client with the client_id '{metadata.ClientId}' exists.");
        }

        var created = WithTag(stored);
        if (stored.SecretHash is not null)
        {
            created.Value["client_secret"] = metadata.ClientSecret;
        }

        return created;
    }

    /// <summary>
    /// Replaces a client's metadata (the whole of it, as at registration); without client_secret the stored secret stays.
    /// Conditional on If-Match when given, and always on the client being as read.
    /// </summary>
    public async Task<ProtocolResult<Tagged<JsonObject>>> UpdateAsync(string clientId, ClientMetadata metadata, string? ifMatch,
        CancellationToken cancellationToken)
    {
        if (metadata.ClientId is not null && metadata.ClientId != clientId)
        {
            return AdminErrors.InvalidRequest("client_id in the body must be absent or the client_id of the path.");
        }

        metadata.ClientId = clientId;
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            if (await store.FindAsync(clientId, cancellationToken) is not { } current)
            {
                return Missing(clientId);
            }

            if (current.Source == ClientSources.Settings)
            {
                return FromSettings(clientId);
            }

            if (!EntityTag.Matches(ifMatch, Tag(current)))
            {
                return AdminErrors.ChangedSince("client");
            }

            var replaced = await catalog.ReplaceAsync(current, metadata, cancellationToken);
            if (replaced.Validation.Client is null)
            {
                return InvalidMetadata(replaced.Validation);
            }

            if (replaced.Stored is { } stored)
            {
                return WithTag(stored);
            }

            // Changed (or gone) since it was read: with If-Match that is a failed precondition; without, read it again.
            if (ifMatch is not null)
            {
                return AdminErrors.ChangedSince("client");
            }
        }

        return AdminErrors.Conflicting($"The client '{clientId}' kept changing while it was written; try again.");
    }

    /// <summary>Removes a client: it can no longer authenticate (on other nodes within the client cache's lifetime).</summary>
    public async Task<ProtocolResult<bool>> DeleteAsync(string clientId, CancellationToken cancellationToken)
    {
        if (await store.FindAsync(clientId, cancellationToken) is not { } current)
        {
            return Missing(clientId);
        }

        if (current.Source == ClientSources.Settings)
        {
            return FromSettings(clientId);
        }

        return await catalog.DeleteAsync(clientId, cancellationToken) ? true : Missing(clientId);
    }

    public static string Tag(StoredClient client) => EntityTag.Of(client.ClientId, client.Metadata,
        client.SecretHash is { } hash ? Convert.ToBase64String(hash) : null, client.Source,
        client.UpdatedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));

    /// <summary>The client as shown: its registered metadata (never a secret: the store keeps none), where it came from, and when.</summary>
    private static JsonObject View(StoredClient client)
    {
        var view = JsonNode.Parse(client.Metadata) as JsonObject ?? new JsonObject();
        view["client_id"] = client.ClientId;
        view["source"] = client.Source;
        view["created_at"] = JsonValue.Create(client.CreatedAt);
        view["updated_at"] = JsonValue.Create(client.UpdatedAt);
        return view;
    }

    private static Tagged<JsonObject> WithTag(StoredClient client) => new(View(client), Tag(client));

    private static ProtocolError Missing(string clientId) => AdminErrors.Missing($"client '{clientId}'");

    private static ProtocolError FromSettings(string clientId) => AdminErrors.Conflicting(
        $"The client '{clientId}' comes from the settings (Backchannel:Clients), which rewrite it at every start; change it there.");

    private static ProtocolError InvalidMetadata(ClientValidationResult validation) =>
        ClientMetadataJson.Invalid("The client metadata is not valid: " + validation.Describe());
}
