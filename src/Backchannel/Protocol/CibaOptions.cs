using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Backchannel.Protocol;

public sealed class CibaOptions
{
    /// <summary>Lifetime of an authentication request when the client asks for none (<c>expires_in</c>).</summary>
    public int DefaultExpirySeconds { get; set; } = 120;

    /// <summary>Upper bound on <c>requested_expiry</c>; larger requests are capped to it.</summary>
    public int MaxExpirySeconds { get; set; } = 1800;

    /// <summary>The polling interval returned to poll and ping clients.</summary>
    public int PollingIntervalSeconds { get; set; } = 5;

    /// <summary>Maximum length of <c>binding_message</c>, in characters.</summary>
    public int BindingMessageMaxLength { get; set; } = 256;

    /// <summary>An optional regular expression a <c>binding_message</c> must match.</summary>
    public string? BindingMessagePattern { get; set; }

    /// <summary>Whether the provider supports <c>user_code</c> (for clients that register <c>backchannel_user_code_parameter</c>).</summary>
    public bool UserCodeSupported { get; set; } = true;

    /// <summary>The token delivery modes clients may register: <c>poll</c>, <c>ping</c>, <c>push</c>.</summary>
    public List<string> DeliveryModes { get; set; } = [];

    /// <summary>The JWS algorithms accepted for signed authentication requests (asymmetric only).</summary>
    public List<string> RequestSigningAlgorithms { get; set; } = [];

    /// <summary>Authentication requests accepted per user and minute (protection against push bombing); 0 turns the limit off.</summary>
    public int MaxRequestsPerUserPerMinute { get; set; } = 10;

    /// <summary>
    /// Long polling at /token: a poll of a pending request is held up to this many seconds and answered as soon as the
    /// user decides (or with authorization_pending when the time is up); 0 (the default) answers at once. At most 30.
    /// </summary>
    public int LongPollSeconds { get; set; }

    /// <summary>The longest long poll: the spec's "answer within 30 s".</summary>
    public const int MaxLongPollSeconds = 30;

    /// <summary>How long after its expiry an ID token is still accepted as <c>id_token_hint</c>.</summary>
    public int IdTokenHintMaxAgeSeconds { get; set; } = 86400;

    /// <summary>
    /// The scopes the provider offers (listed in discovery); a request for another is invalid_scope. Empty: the OpenID
    /// Connect scopes (openid, profile, email, phone, address, offline_access).
    /// </summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>How many requests of one client may be pending (or expired within the retention period) at once; 0: no limit.</summary>
    public int MaxPendingRequestsPerClient { get; set; } = 100_000;

    /// <summary>
    /// Authentication requests one client may send for one user per minute, so that one client cannot spend the user's
    /// whole <see cref="MaxRequestsPerUserPerMinute"/> and lock the user's other clients out; 0 turns the limit off.
    /// Unset: half of <see cref="MaxRequestsPerUserPerMinute"/> (rounded up), off when that is off.
    /// </summary>
    public int? MaxRequestsPerClientAndUserPerMinute { get; set; }

    public int EffectiveMaxRequestsPerClientAndUserPerMinute =>
        MaxRequestsPerClientAndUserPerMinute ?? (MaxRequestsPerUserPerMinute <= 0 ? 0 : (MaxRequestsPerUserPerMinute + 1) / 2);

    public IReadOnlyList<string> EffectiveScopes => Scopes.Count > 0 ? Scopes : Protocol.Scopes.Standard;

    public IReadOnlyList<string> EffectiveDeliveryModes =>
        DeliveryModes.Count > 0 ? DeliveryModes : Protocol.DeliveryModes.All;

    public IReadOnlyList<string> EffectiveRequestSigningAlgorithms =>
        RequestSigningAlgorithms.Count > 0 ? RequestSigningAlgorithms : SigningAlgorithms.RequestObjectDefaults;
}

/// <summary>Checks <c>Backchannel:Ciba</c> at start.</summary>
public sealed class CibaOptionsValidator : IValidateOptions<CibaOptions>
{
    public ValidateOptionsResult Validate(string? name, CibaOptions ciba)
    {
        var errors = new List<string>();
        foreach (var (setting, value) in new[]
                 {
                     ("DefaultExpirySeconds", ciba.DefaultExpirySeconds), ("MaxExpirySeconds", ciba.MaxExpirySeconds),
                     ("PollingIntervalSeconds", ciba.PollingIntervalSeconds), ("BindingMessageMaxLength", ciba.BindingMessageMaxLength),
                     ("IdTokenHintMaxAgeSeconds", ciba.IdTokenHintMaxAgeSeconds),
                 })
        {
            if (value <= 0)
            {
                errors.Add($"Backchannel:Ciba:{setting} must be a positive number.");
            }
        }

        foreach (var (setting, value) in new[]
                 {
                     ("MaxRequestsPerUserPerMinute", ciba.MaxRequestsPerUserPerMinute),
                     ("MaxRequestsPerClientAndUserPerMinute", ciba.MaxRequestsPerClientAndUserPerMinute ?? 0),
                     ("MaxPendingRequestsPerClient", ciba.MaxPendingRequestsPerClient),
                 })
        {
            if (value < 0)
            {
                errors.Add($"Backchannel:Ciba:{setting} must be 0 (no limit) or more.");
            }
        }

        if (ciba.LongPollSeconds is < 0 or > CibaOptions.MaxLongPollSeconds)
        {
            errors.Add($"Backchannel:Ciba:LongPollSeconds must be between 0 (off) and {CibaOptions.MaxLongPollSeconds}.");
        }

        if (!ciba.EffectiveScopes.Contains(Protocol.Scopes.OpenId))
        {
            errors.Add("Backchannel:Ciba:Scopes must include openid.");
        }

        if (ciba.Scopes.Contains(Protocol.Scopes.Admin))
        {
            errors.Add($"Backchannel:Ciba:Scopes must not include {Protocol.Scopes.Admin}: it is granted by the client_credentials grant only, never through a user's authentication.");
        }

        foreach (var scope in ciba.Scopes.Where(s => !Protocol.Scopes.IsValidToken(s)))
        {
            errors.Add($"Backchannel:Ciba:Scopes has '{scope}', which is not a valid scope token.");
        }

        if (ciba.DefaultExpirySeconds > ciba.MaxExpirySeconds)
        {
            errors.Add("Backchannel:Ciba:DefaultExpirySeconds must not exceed Ciba:MaxExpirySeconds.");
        }

        foreach (var mode in ciba.DeliveryModes.Where(m => !DeliveryModes.IsKnown(m)))
        {
            errors.Add($"Backchannel:Ciba:DeliveryModes has '{mode}'; the modes are poll, ping and push.");
        }

        foreach (var alg in ciba.RequestSigningAlgorithms.Where(a => !SigningAlgorithms.IsAsymmetric(a)))
        {
            errors.Add($"Backchannel:Ciba:RequestSigningAlgorithms has '{alg}'; only asymmetric algorithms are accepted ({string.Join(", ", SigningAlgorithms.Asymmetric)}).");
        }

        if (!string.IsNullOrEmpty(ciba.BindingMessagePattern))
        {
            try
            {
                _ = new Regex(ciba.BindingMessagePattern, RegexOptions.None, TimeSpan.FromMilliseconds(100));
            }
            catch (ArgumentException ex)
            {
                errors.Add($"Backchannel:Ciba:BindingMessagePattern is not a valid regular expression: {ex.Message}");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
