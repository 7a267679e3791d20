using Backchannel.Domain;
using Backchannel.Grants;
using Backchannel.Protocol;

namespace Backchannel.Tests.Grants;

/// <summary>Which scopes the client_credentials grant grants: the admin API's, and only to a client that lists it.</summary>
public class ClientCredentialsScopeTests
{
    private static Client Client(params string[] scopes) => new()
    {
        ClientId = "ops-cli",
        AuthenticationMethod = ClientAuthenticationMethods.ClientSecretBasic,
        GrantTypes = new HashSet<string> { GrantTypes.ClientCredentials },
        AllowedScopes = scopes.Length == 0 ? null : scopes.Append(Scopes.OpenId).ToHashSet(StringComparer.Ordinal),
        DeliveryMode = DeliveryModes.Poll,
    };

    [Fact]
    public void A_client_that_lists_the_admin_scope_gets_it_asked_or_by_default()
    {
        Assert.Equal(Scopes.Admin, ClientCredentialsGrantHandler.GrantedScope(Scopes.Admin, Client(Scopes.Admin)).Value);
        Assert.Equal(Scopes.Admin, ClientCredentialsGrantHandler.GrantedScope(null, Client(Scopes.Admin, Scopes.Profile)).Value);
    }

    [Theory]
    [InlineData(Scopes.Admin)]
    [InlineData(null)]
    public void A_client_that_does_not_list_it_gets_invalid_scope(string? requested)
    {
        foreach (var client in new[] { Client(), Client(Scopes.Profile) })
        {
            var result = ClientCredentialsGrantHandler.GrantedScope(requested, client);

            Assert.False(result.Succeeded);
            Assert.Equal(ErrorCodes.InvalidScope, result.Error.Error);
        }
    }

    [Theory]
    [InlineData("openid")]
    [InlineData("backchannel:admin profile")]
    [InlineData("   ")]
    public void Scopes_of_users_or_unknown_ones_are_not_granted(string requested)
    {
        var result = ClientCredentialsGrantHandler.GrantedScope(requested, Client(Scopes.Admin, Scopes.Profile));

        Assert.False(result.Succeeded);
        Assert.Equal(ErrorCodes.InvalidScope, result.Error.Error);
    }
}
