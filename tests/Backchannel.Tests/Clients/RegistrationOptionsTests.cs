using Backchannel.Clients;
using Backchannel.Protocol;
using Microsoft.Extensions.Configuration;

namespace Backchannel.Tests;

/// <summary>Backchannel:Registration: one initial access token or a list, kept as hashes, weak ones reported naming the setting.</summary>
public class RegistrationOptionsTests
{
    private const string Token = "an-initial-access-token-0123456789";
    private const string OtherToken = "another-initial-access-token-abcdefgh";

    private static RegistrationOptions Read(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var options = new RegistrationOptions();
        configuration.GetSection("Registration").Bind(options);
        options.ReadInitialAccessTokens(configuration.GetSection("Registration"));
        return options;
    }

    [Fact]
    public void Registration_is_off_and_open_by_default()
    {
        var options = Read([]);

        Assert.False(options.Enabled);
        Assert.False(options.RotateAccessToken);
        Assert.Empty(options.InitialAccessTokenHashes);
        Assert.True(new RegistrationOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void One_token_is_kept_as_its_hash()
    {
        var options = Read(new() { ["Registration:Enabled"] = "true", ["Registration:InitialAccessToken"] = Token, ["Registration:RotateAccessToken"] = "true" });

        Assert.True(options.Enabled);
        Assert.True(options.RotateAccessToken);
        Assert.True(SecretHash.Matches(Token, options.InitialAccessTokenHashes.Single()));
    }

    [Fact]
    public void A_list_of_tokens_is_kept_as_their_hashes()
    {
        var options = Read(new() { ["Registration:InitialAccessToken:0"] = Token, ["Registration:InitialAccessToken:1"] = OtherToken });

        Assert.Equal(2, options.InitialAccessTokenHashes.Count);
        Assert.True(SecretHash.Matches(Token, options.InitialAccessTokenHashes[0]));
        Assert.True(SecretHash.Matches(OtherToken, options.InitialAccessTokenHashes[1]));
    }

    [Theory]
    [InlineData("Registration:InitialAccessToken", "", "Backchannel:Registration:InitialAccessToken must")]
    [InlineData("Registration:InitialAccessToken", "short", "Backchannel:Registration:InitialAccessToken must")]
    [InlineData("Registration:InitialAccessToken:1", "has spaces in it, which a bearer token cannot", "Backchannel:Registration:InitialAccessToken:1 must")]
    public void A_weak_or_malformed_token_is_refused_at_start_naming_its_setting(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?> { [key] = value };
        if (key.EndsWith(":1", StringComparison.Ordinal))
        {
            settings["Registration:InitialAccessToken:0"] = Token;
        }

        var result = new RegistrationOptionsValidator().Validate(null, Read(settings));

        Assert.True(result.Failed);
        Assert.StartsWith(expected, Assert.Single(result.Failures!), StringComparison.Ordinal);
    }
}
