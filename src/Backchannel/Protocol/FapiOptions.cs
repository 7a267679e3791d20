using Microsoft.Extensions.Options;

namespace Backchannel.Protocol;

/// <summary>The <c>Backchannel:Fapi</c> settings: the FAPI-CIBA profile every client is held to unless it sets its own.</summary>
public sealed class FapiOptions
{
    /// <summary><c>None</c> (the default), <c>Fapi1Ciba</c> or <c>Fapi2Ciba</c>; a client's <c>fapi_profile</c> overrides it.</summary>
    public string? Profile { get; set; }

    /// <summary>The profile <see cref="Profile"/> names (None when unset; the validator refuses other names at start).</summary>
    public FapiProfile EffectiveProfile => FapiProfiles.TryParse(Profile, out var profile) ? profile : FapiProfile.None;
}

/// <summary>Checks <c>Backchannel:Fapi</c> at start, and that the request-signing algorithms leave a FAPI client one to use.</summary>
public sealed class FapiOptionsValidator(IOptions<CibaOptions> ciba) : IValidateOptions<FapiOptions>
{
    public ValidateOptionsResult Validate(string? name, FapiOptions fapi)
    {
        if (!string.IsNullOrEmpty(fapi.Profile) && !FapiProfiles.TryParse(fapi.Profile, out _))
        {
            return ValidateOptionsResult.Fail(
                $"Backchannel:Fapi:Profile has '{fapi.Profile}'; the profiles are {string.Join(", ", FapiProfiles.Names)}.");
        }

        if (fapi.EffectiveProfile != FapiProfile.None)
        {
            CibaOptions cibaOptions;
            try
            {
                cibaOptions = ciba.Value;
            }
            catch (OptionsValidationException)
            {
                return ValidateOptionsResult.Skip; // Ciba's own validator reports its problems
            }

            if (!cibaOptions.EffectiveRequestSigningAlgorithms.Any(FapiRules.Algorithms.Contains))
            {
                return ValidateOptionsResult.Fail(
                    $"Backchannel:Fapi:Profile {fapi.EffectiveProfile} needs PS256 or ES256 among Backchannel:Ciba:RequestSigningAlgorithms " +
                    $"(it lists {string.Join(", ", cibaOptions.EffectiveRequestSigningAlgorithms)}): FAPI request objects are signed with one of them.");
            }
        }

        return ValidateOptionsResult.Success;
    }
}
