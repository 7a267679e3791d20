using System.Text.Json;
using Backchannel.Abstractions;
using Backchannel.Decisions;
using Backchannel.Domain;
using Backchannel.Protocol;
using Backchannel.Tokens;

namespace Backchannel.Channels.App;

/// <summary>
/// The app channel's return path: a decision JWT the device signed with its registered key, naming the request by its
/// transaction id. The provider checks the signature against that device's key, that the request is a pending app
/// request of the device's user, and records the decision through the decision service (channel <c>app</c>, evidence
/// <c>device_key:{device id}</c>), so that a transaction id alone decides nothing.
/// </summary>
public sealed class DeviceDecisions(
    DeviceJwtAuthenticator authenticator,
    IAuthenticationRequestStore requests,
    DecisionService decisions,
    ProviderUrls urls)
{
    /// <summary>What verified a decision of the app channel (followed by the device's id in the audit event).</summary>
    public const string Evidence = "device_key";

    public const int MaxAmrValues = 16;

    /// <summary>Checks and records the decision <paramref name="jwt"/> of the device <paramref name="deviceId"/>; what became of it.</summary>
    public async Task<ProtocolResult<DecisionOutcome>> DecideAsync(string deviceId, string? jwt, CancellationToken cancellationToken)
    {
        var authenticated = await authenticator.AuthenticateAsync(deviceId, jwt, DeviceJwts.DecisionType,
            urls.Endpoint(AppDevicePaths.Decisions(deviceId)), requireExpiry: false, cancellationToken);
        if (!authenticated.Succeeded)
        {
            return authenticated.Error;
        }

        var (device, verified) = authenticated.Value;
        var claims = verified.Claims;
        if (JwtPayload.String(claims, "transaction_id") is not { } transactionId
            || JwtPayload.String(claims, "decision") is not ("approved" or "denied") || Amr(claims) is not { } amr
            || (claims.TryGetProperty("acr", out var acrClaim) && acrClaim.ValueKind != JsonValueKind.String))
        {
            return ProtocolError.InvalidRequest(
                "The decision JWT must carry transaction_id (the request's), decision (approved or denied), and may carry acr (a string) and amr (an array of strings).");
        }

        var request = await requests.FindAsync(transactionId, cancellationToken);
        if (request is null || request.Subject != device.Subject || !request.UsesChannel(AppChannelOptions.ChannelName))
        {
            // Another user's request, or not one the app was asked: the device learns nothing about it.
            return DecisionOutcome.NotFound;
        }

        var decision = new Decision(transactionId, JwtPayload.String(claims, "decision") == "approved", JwtPayload.String(claims, "acr"),
            amr.Count == 0 ? null : amr, $"{Evidence}:{device.Id}")
        {
            Channel = AppChannelOptions.ChannelName,
            KnownDeliveryMode = request.DeliveryMode,
            Device = device.Id,
        };
        return await decisions.DecideAsync(decision, cancellationToken);
    }

    /// <summary>The amr claim's values (none when absent); null when it is not an array of non-empty strings.</summary>
    private static List<string>? Amr(JsonElement claims)
    {
        if (!claims.TryGetProperty("amr", out var amr))
        {
            return [];
        }

        if (amr.ValueKind != JsonValueKind.Array || amr.GetArrayLength() > MaxAmrValues)
        {
            return null;
        }

        var values = new List<string>();
        foreach (var value in amr.EnumerateArray())
        {
            if (value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: > 0 } text)
            {
                return null;
            }

            values.Add(text);
        }

        return values;
    }
}
