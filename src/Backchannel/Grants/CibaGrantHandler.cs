using Backchannel.Abstractions;
using Backchannel.Domain;
using Backchannel.Events;
using Backchannel.Protocol;
using Backchannel.Tokens;
using Microsoft.Extensions.Options;

namespace Backchannel.Grants;

/// <summary>
/// The CIBA grant (urn:openid:params:grant-type:ciba) for poll and ping clients: authorization_pending and slow_down
/// while the user decides, then the tokens, once. With long polling (<see cref="LongPolls"/>) a poll of a pending request
/// is held until the user decides or the time is up.
/// </summary>
public sealed class CibaGrantHandler(
    IAuthenticationRequestStore requests,
    TokenIssuer tokens,
    RequestEvents events,
    LongPolls longPolls,
    ClientSubjects subjects,
    IOptions<TokenOptions> options,
    TimeProvider time)
{
    /// <param name="certificateThumbprint">The x5t#S256 of the client certificate the access token is bound to (RFC 8705 3); null: none.</param>
    public async ValueTask<ProtocolResult<IssuedTokens>> HandleAsync(RequestParameters form, Client client, string? dpopKeyThumbprint,
        CancellationToken cancellationToken, string? certificateThumbprint = null)
    {
        if (client.DeliveryMode == DeliveryModes.Push)
        {
            return ProtocolError.UnauthorizedClient("Push clients receive their tokens at their notification endpoint; they do not poll.");
        }

        if (form[Parameters.AuthReqId] is not { } authReqId)
        {
            return ProtocolError.InvalidRequest("auth_req_id is required.");
        }

        var hash = SecretHash.Compute(authReqId);
        var request = await requests.FindByAuthReqIdHashAsync(hash, cancellationToken);

        // A request bound to a DPoP key at /bc-authorize is redeemed only with a proof of that key (RFC 9449).
        if (request is { DpopKeyThumbprint: { } boundKey } && request.ClientId == client.ClientId && boundKey != dpopKeyThumbprint)
        {
            return new ProtocolError(ErrorCodes.InvalidDpopProof, dpopKeyThumbprint is null
                ? "The authentication request was bound to a DPoP key at the backchannel endpoint: the token request needs a DPoP proof of that key."
                : "The DPoP proof's key is not the key the authentication request was bound to at the backchannel endpoint.");
        }

        // A request changes under us only by a concurrent decision, poll or redemption: decide again on what is stored now.
        var held = false;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var now = time.GetUtcNow();
            var decision = CibaGrantRules.Decide(request, client.ClientId, now);
            switch (decision.Outcome)
            {
                case CibaGrantOutcome.Error:
                    return decision.Error!;

                case CibaGrantOutcome.Poll when held:
                    return CibaGrantRules.AuthorizationPending;

                case CibaGrantOutcome.Poll:
                    var poll = await requests.RecordPollAsync(request!, now, cancellationToken);
                    if (poll.SlowDown)
                    {
                        return CibaGrantRules.SlowDown(poll.IntervalSeconds);
                    }

                    using (var watch = longPolls.TryWatch(request!.Id))
                    {
                        if (watch is null)
                        {
                            return CibaGrantRules.AuthorizationPending;
                        }

                        // Read again once watched: a decision that landed since the first read is not waited for.
                        request = await requests.FindAsync(request.Id, cancellationToken);
                        if (request is { Status: AuthenticationRequestStatus.Pending })
                        {
                            await longPolls.WaitAsync(watch, request.ExpiresAt, cancellationToken);
                            request = await requests.FindAsync(request.Id, cancellationToken);
                        }
                    }

                    held = true;
                    continue;

                case CibaGrantOutcome.Issue:
                    var issued = await tokens.IssueAsync(new TokenGrant
                    {
                        ClientId = client.ClientId,
                        Subject = request!.Subject,
                        ClientSubject = await subjects.ForClientAsync(client, request.Subject, cancellationToken),
                        Scope = request.Scope,
                        AuthorizationDetails = request.AuthorizationDetails,
                        AuthTime = request.DecidedAt ?? now,
                        Acr = CibaGrantRules.EffectiveAcr(request),
                        Amr = request.Amr,
                        IncludeRefreshToken = options.Value.RefreshTokens && client.MayUse(GrantTypes.RefreshToken),
                        IdTokenSigningAlgorithm = client.IdTokenSigningAlgorithm,
                        DpopKeyThumbprint = dpopKeyThumbprint,
                        CertificateThumbprint = certificateThumbprint,
                    }, cancellationToken);
                    if (await requests.RedeemAsync(request.Id, now, issued.RefreshTokenRecord, cancellationToken))
                    {
                        events.Publish(RequestEventKind.Redeemed, request, "token endpoint");
                        return issued;
                    }

                    break;
            }

            request = await requests.FindAsync(request!.Id, cancellationToken);
        }

        return ProtocolError.InvalidGrant("The auth_req_id changed state concurrently; try again.");
    }
}
