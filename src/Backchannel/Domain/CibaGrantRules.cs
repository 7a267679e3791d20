using Backchannel.Protocol;

namespace Backchannel.Domain;

/// <summary>The rules of the CIBA grant at the token endpoint (CIBA Core 1.0, sections 10 and 11).</summary>
public static class CibaGrantRules
{
    public const int SlowDownIncrementSeconds = 5;

    /// <summary>Decides what a token request for <paramref name="request"/> by <paramref name="clientId"/> gets at <paramref name="now"/>.</summary>
    public static CibaGrantDecision Decide(AuthenticationRequest? request, string clientId, DateTimeOffset now)
    {
        if (request is null || !string.Equals(request.ClientId, clientId, StringComparison.Ordinal))
        {
            // Another client's auth_req_id is indistinguishable from an unknown one.
            return ProtocolError.InvalidGrant("The auth_req_id is unknown, was issued to another client, or was removed after expiry.");
        }

        switch (request.Status)
        {
            case AuthenticationRequestStatus.Redeemed:
                return ProtocolError.InvalidGrant("The auth_req_id was already used.");
            case AuthenticationRequestStatus.Denied:
                return ProtocolError.AccessDenied("The user denied the authentication request.") with { StatusCode = 400 };
            case AuthenticationRequestStatus.Failed:
                return ProtocolError.AccessDenied("The user's authentication device could not be reached.") with { StatusCode = 400 };
        }

        if (request.IsExpired(now))
        {
            return new ProtocolError(ErrorCodes.ExpiredToken, "The auth_req_id has expired; start a new authentication request.");
        }

        return request.Status == AuthenticationRequestStatus.Approved ? CibaGrantDecision.Issue : CibaGrantDecision.Poll;
    }

    /// <summary>
    /// Applies the polling interval: a poll sooner than the interval after the previous one is slow_down, and the
    /// interval grows by 5 seconds for this and all later polls (CIBA 11, RFC 8628 3.5).
    /// </summary>
    public static PollResult Poll(DateTimeOffset? lastPolledAt, int intervalSeconds, DateTimeOffset now)
    {
        if (lastPolledAt is { } last && now < last.AddSeconds(intervalSeconds))
        {
            return new PollResult(SlowDown: true, intervalSeconds + SlowDownIncrementSeconds);
        }

        return new PollResult(SlowDown: false, intervalSeconds);
    }

    /// <summary>
    /// The acr the tokens carry: the one the device reported, else the first value the client requested (a device that
    /// approves without naming an acr is trusted to have met the requested one).
    /// </summary>
    public static string? EffectiveAcr(AuthenticationRequest request) => request.Acr ?? Scopes.Parse(request.AcrValues).FirstOrDefault();

    public static ProtocolError AuthorizationPending { get; } =
        new(ErrorCodes.AuthorizationPending, "The user has not yet approved the authentication request.");

    public static ProtocolError SlowDown(int newInterval) =>
        new(ErrorCodes.SlowDown, $"Polling too fast: wait at least {newInterval} seconds between token requests for this auth_req_id.");
}

public readonly record struct PollResult(bool SlowDown, int IntervalSeconds);
