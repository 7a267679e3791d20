using Backchannel.Domain;

namespace Backchannel.Channels.Portal;

/// <summary>
/// What the user is shown about a request, in the portal and on the e-mail confirmation page: who asks (the client's
/// name), the binding message (to compare with the consumption device), the scopes in plain words, the requested acr
/// values, the authorization details as fields, and the time left. Plain text: the page escapes every value.
/// </summary>
public sealed record PortalRequestView
{
    public required string Id { get; init; }

    public required string ClientName { get; init; }

    public string? BindingMessage { get; init; }

    public required IReadOnlyList<string> Scopes { get; init; }

    public IReadOnlyList<string> AcrValues { get; init; } = [];

    public IReadOnlyList<AuthorizationDetail> AuthorizationDetails { get; init; } = [];

    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Whole seconds left at the time the view was made (0 when expired).</summary>
    public required int SecondsLeft { get; init; }

    public static PortalRequestView From(AuthenticationRequest request, string? clientName, DateTimeOffset now) => new()
    {
        Id = request.Id,
        ClientName = string.IsNullOrWhiteSpace(clientName) ? request.ClientId : clientName,
        BindingMessage = request.BindingMessage,
        Scopes = ScopeDescriptions.Describe(request.Scope),
        AcrValues = Backchannel.Protocol.Scopes.Parse(request.AcrValues),
        AuthorizationDetails = AuthorizationDetailsView.Read(request.AuthorizationDetails),
        ExpiresAt = request.ExpiresAt,
        SecondsLeft = (int)Math.Max(0, Math.Ceiling((request.ExpiresAt - now).TotalSeconds)),
    };
}
