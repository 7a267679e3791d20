using System.Net.Http.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.IntegrationTests.Infrastructure;

/// <summary>Validates tokens the way a relying party does: with Microsoft.IdentityModel, against the provider's /jwks.</summary>
internal static class TokenAssertions
{
    public static async Task<JsonWebToken> ValidateIdTokenAsync(TestProvider provider, string idToken, string clientId)
    {
        var keys = new JsonWebKeySet(await provider.Http.GetStringAsync("/jwks"));
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(idToken, new TokenValidationParameters
        {
            ValidIssuer = provider.Issuer,
            ValidAudience = clientId,
            IssuerSigningKeys = keys.GetSigningKeys(),
            RequireSignedTokens = true,
            RequireExpirationTime = true,
        });
        Assert.True(result.IsValid, $"The ID token does not validate against /jwks: {result.Exception}");
        return (JsonWebToken)result.SecurityToken;
    }

    public static async Task<JsonWebToken> ValidateAccessTokenAsync(TestProvider provider, string accessToken)
    {
        var keys = new JsonWebKeySet(await provider.Http.GetStringAsync("/jwks"));
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(accessToken, new TokenValidationParameters
        {
            ValidIssuer = provider.Issuer,
            ValidAudience = provider.Issuer,
            IssuerSigningKeys = keys.GetSigningKeys(),
            ValidTypes = ["at+jwt"],
        });
        Assert.True(result.IsValid, $"The access token does not validate against /jwks: {result.Exception}");
        return (JsonWebToken)result.SecurityToken;
    }

    public static async Task<Dictionary<string, System.Text.Json.JsonElement>> UserInfoAsync(TestProvider provider, string accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/userinfo");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await provider.Http.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Dictionary<string, System.Text.Json.JsonElement>>())!;
    }
}
