using Backchannel.Protocol;
using Microsoft.Extensions.Options;

namespace Backchannel.Security;

/// <summary>DPoP, sender-constrained access tokens (RFC 9449): the <c>Backchannel:Dpop</c> settings.</summary>
public sealed class DpopOptions
{
    /// <summary>Whether DPoP proofs are accepted (and advertised in discovery); false: a DPoP header is refused.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Whether every proof must carry a server nonce (RFC 9449 8, 9); a proof without one is answered use_dpop_nonce.</summary>
    public bool RequireNonce { get; set; }

    /// <summary>How old a proof's iat may be; also how long a proof's jti is remembered and how long a server nonce is good.</summary>
    public int ProofLifetimeSeconds { get; set; } = 300;

    /// <summary>The algorithms a proof may be signed with (<c>dpop_signing_alg_values_supported</c>); empty: every asymmetric one.</summary>
    public List<string> SigningAlgorithms { get; set; } = [];

    public TimeSpan ProofLifetime => TimeSpan.FromSeconds(ProofLifetimeSeconds);

    public IReadOnlyList<string> EffectiveSigningAlgorithms =>
        SigningAlgorithms.Count > 0 ? SigningAlgorithms : Protocol.SigningAlgorithms.DpopDefaults;
}

/// <summary>Checks <c>Backchannel:Dpop</c> at start.</summary>
public sealed class DpopOptionsValidator : IValidateOptions<DpopOptions>
{
    public ValidateOptionsResult Validate(string? name, DpopOptions dpop)
    {
        var errors = new List<string>();
        if (dpop.ProofLifetimeSeconds is < 10 or > 3600)
        {
            errors.Add("Backchannel:Dpop:ProofLifetimeSeconds must be between 10 and 3600.");
        }

        foreach (var alg in dpop.SigningAlgorithms.Where(a => !SigningAlgorithms.IsAsymmetric(a)))
        {
            errors.Add($"Backchannel:Dpop:SigningAlgorithms has '{alg}'; only asymmetric algorithms are accepted ({string.Join(", ", SigningAlgorithms.Asymmetric)}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
