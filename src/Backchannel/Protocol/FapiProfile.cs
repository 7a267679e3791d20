namespace Backchannel.Protocol;

/// <summary>
/// The financial-grade profile a client is held to (<c>Fapi:Profile</c> for the provider, <c>fapi_profile</c> for one
/// client): none, FAPI-CIBA on FAPI 1.0 Advanced, or FAPI-CIBA on the FAPI 2.0 Security Profile.
/// </summary>
public enum FapiProfile
{
    None,
    Fapi1Ciba,
    Fapi2Ciba,
}

/// <summary>The profiles' names as settings and client metadata spell them.</summary>
public static class FapiProfiles
{
    public static readonly IReadOnlyList<string> Names = [nameof(FapiProfile.None), nameof(FapiProfile.Fapi1Ciba), nameof(FapiProfile.Fapi2Ciba)];

    /// <summary>Reads a profile's name (exactly as <see cref="Names"/> spells it, any case); false for anything else.</summary>
    public static bool TryParse(string? name, out FapiProfile profile)
    {
        profile = FapiProfile.None;
        foreach (var candidate in Enum.GetValues<FapiProfile>())
        {
            if (string.Equals(name, candidate.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                profile = candidate;
                return true;
            }
        }

        return false;
    }

    public static string Name(FapiProfile profile) => profile.ToString();
}
