namespace Backchannel.Protocol;

/// <summary>JWS algorithms. Only asymmetric ones are accepted from clients.</summary>
public static class SigningAlgorithms
{
    public const string RS256 = "RS256";
    public const string RS384 = "RS384";
    public const string RS512 = "RS512";
    public const string PS256 = "PS256";
    public const string PS384 = "PS384";
    public const string PS512 = "PS512";
    public const string ES256 = "ES256";
    public const string ES384 = "ES384";
    public const string ES512 = "ES512";

    /// <summary>Algorithms the provider signs its own tokens with.</summary>
    public static readonly IReadOnlyList<string> TokenSigning = [RS256, PS256, ES256];

    /// <summary>Asymmetric algorithms accepted on client JWTs (assertions, request objects, login_hint_token).</summary>
    public static readonly IReadOnlyList<string> Asymmetric = [RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512];

    public static readonly IReadOnlyList<string> RequestObjectDefaults = [PS256, ES256, RS256];

    /// <summary>The algorithms a DPoP proof may use unless <c>Dpop:SigningAlgorithms</c> says otherwise (RFC 9449 allows any asymmetric one).</summary>
    public static readonly IReadOnlyList<string> DpopDefaults = [ES256, PS256, RS256, ES384, ES512, PS384, PS512, RS384, RS512];

    public static bool IsAsymmetric(string? alg) => alg is not null && Asymmetric.Contains(alg);
}
