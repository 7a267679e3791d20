using System.Text.Json;
using Backchannel.Abstractions;
using Backchannel.Domain;
using Backchannel.Protocol;
using Backchannel.Security;
using Backchannel.Tokens;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.Users;

/// <summary>
/// Finds the user a backchannel authentication request names: login_hint (sub, username, e-mail or phone number),
/// login_hint_token (a JWT the client signed, carrying an RFC 9493 <c>sub_id</c>), or id_token_hint (an ID token this
/// provider issued to the client, accepted for a bounded time after it expired). A sub, in any of them, is the client's
/// view of the user: for a pairwise client its pairwise sub, never the user's own.
/// </summary>
public sealed class UserHintResolver(
    IUserDirectory directory,
    ClientJwtValidator clientJwtValidator,
    IssuedTokenValidator issuedTokenValidator,
    ClientSubjects subjects,
    ProviderUrls urls,
    IOptions<ProviderOptions> provider,
    IOptions<CibaOptions> ciba)
{
    private static readonly ProtocolError UnknownUser = new(ErrorCodes.UnknownUserId, "No user matches the hint.");

    public async ValueTask<ProtocolResult<ResolvedUser>> ResolveAsync(UserHint hint, Client client, CancellationToken cancellationToken)
    {
        switch (hint.Kind)
        {
            case UserHintKind.LoginHint when client.PairwiseSector is not null:
                return await FindByPairwiseLoginHintAsync(hint.Value, client, cancellationToken) is { } named
                    ? new ResolvedUser(named, named.Username ?? named.Email ?? named.Subject)
                    : UnknownUser;
            case UserHintKind.LoginHint:
                return await directory.FindByLoginHintAsync(hint.Value, cancellationToken) is { } user
                    ? new ResolvedUser(user, hint.Value)
                    : UnknownUser;
            case UserHintKind.IdTokenHint:
                return await ResolveIdTokenHintAsync(hint.Value, client, cancellationToken);
            default:
                return await ResolveLoginHintTokenAsync(hint.Value, client, cancellationToken);
        }
    }

    private async ValueTask<ProtocolResult<ResolvedUser>> ResolveIdTokenHintAsync(string idToken, Client client, CancellationToken cancellationToken)
    {
        var maxAge = TimeSpan.FromSeconds(ciba.Value.IdTokenHintMaxAgeSeconds);
        var result = await issuedTokenValidator.ValidateIdTokenAsync(idToken, client.ClientId, maxAge, cancellationToken);
        if (!result.IsValid)
        {
            return ProtocolError.InvalidRequest(result.Exception is SecurityTokenInvalidLifetimeException
                ? "id_token_hint expired too long ago."
                : $"id_token_hint is not an ID token this provider issued to this client: {ClientJwtValidator.Describe(result)}.");
        }

        var subject = ((JsonWebToken)result.SecurityToken).Subject;
        return await FindByClientSubjectAsync(subject, client, cancellationToken) is { } user
            ? new ResolvedUser(user, user.Username ?? user.Email ?? user.Subject)
            : UnknownUser;
    }

    /// <summary>The user <paramref name="client"/> knows by <paramref name="subject"/> (its view: pairwise for a pairwise client).</summary>
    private async ValueTask<User?> FindByClientSubjectAsync(string subject, Client client, CancellationToken cancellationToken) =>
        await subjects.LocalSubjectAsync(client, subject, cancellationToken) is { } local
            ? await directory.FindBySubjectAsync(local, cancellationToken)
            : null;

    /// <summary>
    /// A pairwise client's login_hint: its pairwise sub for the user, or the username, e-mail address or phone number;
    /// never the user's own sub, which the client is not to know.
    /// </summary>
    private async ValueTask<User?> FindByPairwiseLoginHintAsync(string hint, Client client, CancellationToken cancellationToken)
    {
        if (await FindByClientSubjectAsync(hint, client, cancellationToken) is { } user)
        {
            return user;
        }

        user = await directory.FindByLoginHintAsync(hint, cancellationToken);
        var byOwnSubOnly = user is not null && user.Subject == hint && user.Username != hint && user.PhoneNumber != hint
            && !string.Equals(user.Email, hint, StringComparison.OrdinalIgnoreCase);
        return byOwnSubOnly ? null : user;
    }

    private async ValueTask<ProtocolResult<ResolvedUser>> ResolveLoginHintTokenAsync(string jwt, Client client, CancellationToken cancellationToken)
    {
        if (ClientJwtValidator.Inspect(jwt, out _) is { } malformed)
        {
            return ProtocolError.InvalidRequest($"login_hint_token is refused: {malformed}.");
        }

        if (!client.HasKeys)
        {
            return ProtocolError.InvalidRequest("login_hint_token needs the client's public keys (jwks or jwks_uri) to verify it.");
        }

        var parameters = new TokenValidationParameters
        {
            ValidateIssuer = false,
            ValidateAudience = false,
            RequireExpirationTime = false,
            ValidateLifetime = true,
            ClockSkew = provider.Value.ClockSkew,
        };
        var result = await clientJwtValidator.ValidateAsync(client, jwt, parameters, null, cancellationToken);
        if (!result.IsValid)
        {
            // Only a token the client really signed is "expired"; the library reports lifetime before a missing key.
            if (result.Exception is SecurityTokenExpiredException or SecurityTokenSignatureKeyNotFoundException)
            {
                parameters.ValidateLifetime = false;
                var withoutLifetime = await clientJwtValidator.ValidateAsync(client, jwt, parameters, null, cancellationToken);
                if (withoutLifetime.IsValid)
                {
                    return new ProtocolError(ErrorCodes.ExpiredLoginHintToken, "login_hint_token has expired.");
                }

                result = withoutLifetime;
            }

            return ProtocolError.InvalidRequest($"login_hint_token is rejected: {ClientJwtValidator.Describe(result)}.");
        }

        using var payload = JwtPayload.Parse((JsonWebToken)result.SecurityToken);
        if (!payload.RootElement.TryGetProperty("sub_id", out var subId) || subId.ValueKind != JsonValueKind.Object)
        {
            return ProtocolError.InvalidRequest("login_hint_token must carry a sub_id object (RFC 9493), such as {format: email, email: alice@example.com}.");
        }

        if (client.LoginHintTokenTypes is { } allowedTypes && !allowedTypes.Contains(SubjectIdentifier.Format(subId) ?? string.Empty))
        {
            return ProtocolError.UnauthorizedClient(
                $"login_hint_token's sub_id format is not one this client registered in backchannel_endpoint_login_hint_token_types ({string.Join(", ", allowedTypes.Order(StringComparer.Ordinal))}).");
        }

        var lookup = SubjectIdentifier.Parse(subId, urls.Issuer);
        if (!lookup.Succeeded)
        {
            return lookup.Error;
        }

        var (attribute, value) = lookup.Value;
        var user = attribute switch
        {
            UserAttribute.Email => await directory.FindByEmailAsync(value, cancellationToken),
            UserAttribute.PhoneNumber => await directory.FindByPhoneNumberAsync(value, cancellationToken),
            UserAttribute.Username => await directory.FindByUsernameAsync(value, cancellationToken),
            _ => await FindByClientSubjectAsync(value, client, cancellationToken),
        };
        if (user is null)
        {
            return UnknownUser;
        }

        // A pairwise sub means nothing to the user's device: it is shown the username or e-mail address instead.
        return attribute == UserAttribute.Subject && client.PairwiseSector is not null
            ? new ResolvedUser(user, user.Username ?? user.Email ?? user.Subject)
            : new ResolvedUser(user, value);
    }
}
