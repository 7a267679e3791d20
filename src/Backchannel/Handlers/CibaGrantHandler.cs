using Backchannel.Clients;
using Backchannel.Configuration;
using Backchannel.Json;
using Backchannel.Protocol;
using Backchannel.Storage;
using Backchannel.Tokens;
using Microsoft.Extensions.Options;

namespace Backchannel.Handlers;

/// <summary>
/// The CIBA grant (urn:openid:params:grant-type:ciba) for poll and ping clients: authorization_pending and slow_down
/// while the user decides, then the tokens, once.
/// </summary>
public sealed class CibaGrantHandler(
    IAuthenticationRequestStore requests,
    TokenIssuer tokens,
    IOptions<BackchannelOptions> options,
    TimeProvider time)
{
    public async ValueTask<ProtocolResult<TokenResponse>> HandleAsync(RequestParameters form, Client client, CancellationToken cancellationToken)
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

        // A request changes under us only by a concurrent decision, poll or redemption: decide again on what is stored now.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var now = time.GetUtcNow();
            var decision = CibaGrantRules.Decide(request, client.ClientId, now);
            switch (decision.Outcome)
            {
                case CibaGrantOutcome.Error:
                    return decision.Error!;

                case CibaGrantOutcome.Poll:
                    var poll = await requests.RecordPollAsync(request!, now, cancellationToken);
                    return poll.SlowDown ? CibaGrantRules.SlowDown(poll.IntervalSeconds) : CibaGrantRules.AuthorizationPending;

                case CibaGrantOutcome.Issue:
                    var issued = tokens.Issue(new TokenGrant
                    {
                        ClientId = client.ClientId,
                        Subject = request!.Subject,
                        Scope = request.Scope,
                        AuthTime = request.DecidedAt ?? now,
                        Acr = CibaGrantRules.EffectiveAcr(request),
                        Amr = request.Amr,
                        IncludeRefreshToken = options.Value.Tokens.RefreshTokens && client.MayUse(GrantTypes.RefreshToken),
                    });
                    if (await requests.RedeemAsync(request.Id, now, issued.RefreshToken, cancellationToken))
                    {
                        return issued.Response;
                    }

                    break;
            }

            request = await requests.FindAsync(request!.Id, cancellationToken);
        }

        return ProtocolError.InvalidGrant("The auth_req_id changed state concurrently; try again.");
    }
}
