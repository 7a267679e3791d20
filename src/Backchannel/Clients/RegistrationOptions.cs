using Backchannel.Protocol;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Backchannel.Clients;

/// <summary>Dynamic client registration (RFC 7591) and management (RFC 7592): <c>Backchannel:Registration</c>.</summary>
public sealed class RegistrationOptions
{
    /// <summary>The setting that holds the initial access tokens (one value, or a list).</summary>
    public const string InitialAccessTokenSetting = "Backchannel:Registration:InitialAccessToken";

    /// <summary>The shortest initial access token accepted: 128 bits in base64url.</summary>
    public const int MinInitialAccessTokenLength = 22;

    private readonly List<byte[]> _initialAccessTokenHashes = [];
    private readonly List<string> _problems = [];

    /// <summary>Serve POST /register and /register/{client_id}, and list registration_endpoint in discovery.</summary>
    public bool Enabled { get; set; }

    /// <summary>Issue a new registration access token on every update (PUT), the old one then no longer valid.</summary>
    public bool RotateAccessToken { get; set; }

    /// <summary>The SHA-256 of each initial access token; none: registration is open to anyone who can reach it.</summary>
    public IReadOnlyList<byte[]> InitialAccessTokenHashes => _initialAccessTokenHashes;

    /// <summary>What is wrong with the tokens given, each naming its setting (reported at start).</summary>
    internal IReadOnlyList<string> Problems => _problems;

    /// <summary>
    /// Adds an initial access token that POST /register must carry as a bearer token. Only its SHA-256 is kept; a token
    /// that is empty, short or not RFC 6750 b64token syntax is reported at start, naming <paramref name="setting"/>.
    /// </summary>
    public void AddInitialAccessToken(string token, string setting = InitialAccessTokenSetting)
    {
        if (token.Length < MinInitialAccessTokenLength || !BackchannelAuthenticationRequestValidator.IsB64Token(token))
        {
            _problems.Add($"{setting} must have at least {MinInitialAccessTokenLength} characters (128 bits or more, random) of RFC 6750 " +
                "b64token syntax: letters, digits, '-', '.', '_', '~', '+', '/', then optional '='.");
            return;
        }

        _initialAccessTokenHashes.Add(SecretHash.Compute(token));
    }

    /// <summary>Reads <c>InitialAccessToken</c> of <paramref name="registration"/>: one value, or a list (<c>InitialAccessToken:0</c>, ...).</summary>
    public void ReadInitialAccessTokens(IConfigurationSection registration)
    {
        var section = registration.GetSection("InitialAccessToken");
        if (section.Value is { } single)
        {
            AddInitialAccessToken(single);
            return;
        }

        foreach (var item in section.GetChildren())
        {
            AddInitialAccessToken(item.Value ?? string.Empty, $"{InitialAccessTokenSetting}:{item.Key}");
        }
    }
}

/// <summary>Checks <c>Backchannel:Registration</c> at start.</summary>
public sealed class RegistrationOptionsValidator : IValidateOptions<RegistrationOptions>
{
    public ValidateOptionsResult Validate(string? name, RegistrationOptions options) =>
        options.Problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(options.Problems);
}
