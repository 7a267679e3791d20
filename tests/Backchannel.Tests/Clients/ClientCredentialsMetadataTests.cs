using Backchannel.Clients;
using Backchannel.Protocol;

namespace Backchannel.Tests.Clients;

/// <summary>What the one validator accepts for an operator's client: the client_credentials grant and the scope backchannel:admin.</summary>
public class ClientCredentialsMetadataTests
{
    private static ClientValidationSettings Settings() => new()
    {
        DeliveryModes = DeliveryModes.All,
        RequestSigningAlgorithms = [SigningAlgorithms.PS256],
        SupportedScopes = Scopes.Standard.ToHashSet(StringComparer.Ordinal),
    };

    private static ClientMetadata AdminClient() => new()
    {
        ClientId = "ops-cli",
        ClientSecret = "a-long-and-random-client-secret",
        GrantTypes = [GrantTypes.ClientCredentials],
        Scope = Scopes.Admin,
    };

    [Fact]
    public void A_client_credentials_client_needs_no_delivery_mode_and_may_list_the_admin_scope()
    {
        var result = ClientMetadataValidator.Validate(AdminClient(), Settings());

        Assert.Empty(result.Errors);
        Assert.NotNull(result.Client);
        Assert.True(result.Client.MayUse(GrantTypes.ClientCredentials));
        Assert.False(result.Client.MayUse(GrantTypes.Ciba));
        Assert.Contains(Scopes.Admin, result.Client.AllowedScopes!);
    }

    [Fact]
    public void A_client_of_the_ciba_grant_still_needs_a_delivery_mode()
    {
        var metadata = AdminClient();
        metadata.GrantTypes = [GrantTypes.ClientCredentials, GrantTypes.Ciba];

        var result = ClientMetadataValidator.Validate(metadata, Settings());

        Assert.Contains(result.Errors, e => e.Contains("backchannel_token_delivery_mode is required", StringComparison.Ordinal));
    }

    [Fact]
    public void A_scope_the_provider_does_not_offer_is_still_refused()
    {
        var metadata = AdminClient();
        metadata.Scope = "backchannel:admin backchannel:root";

        var result = ClientMetadataValidator.Validate(metadata, Settings());

        Assert.Contains(result.Errors, e => e.Contains("scope names 'backchannel:root'", StringComparison.Ordinal));
    }

    [Fact]
    public void The_admin_scope_may_not_be_a_ciba_scope()
    {
        var result = new CibaOptionsValidator().Validate(null, new CibaOptions { Scopes = [Scopes.OpenId, Scopes.Admin] });

        Assert.True(result.Failed);
        Assert.Contains("Backchannel:Ciba:Scopes must not include backchannel:admin", result.FailureMessage, StringComparison.Ordinal);
    }
}
