using Backchannel.Protocol;
using Backchannel.Users;

namespace Backchannel.Hosting;

/// <summary>The demo users and clients a first run starts with (Development, nothing configured).</summary>
public static class DemoData
{
    public const string PollClientId = "demo-poll";
    public const string PollClientSecret = "demo-poll-secret";
    public const string PingClientId = "demo-ping";
    public const string PingClientSecret = "demo-ping-secret";
    public const string PushClientId = "demo-push";
    public const string PushClientSecret = "demo-push-secret";

    /// <summary>The demo users' passwords (the portal's sign-in), published here: demo data never runs outside Development.</summary>
    public const string AlicePassword = "alice-password";
    public const string BobPassword = "bob-password";

    /// <summary>Where the demo ping and push clients receive notifications: an endpoint of the server that logs them.</summary>
    public const string NotificationSinkPath = "/demo/client-notifications";

    /// <summary>Whether the demo data applies: asked for, or (when not said) in Development with nothing configured if the host wants that.</summary>
    public static bool ShouldApply(DemoOptions demo, int configuredClients, int configuredUsers, bool development) =>
        development && (demo.Enabled ?? (demo.WhenUnconfigured && configuredClients == 0 && configuredUsers == 0));

    public static void AddUsers(List<UserSettings> users)
    {
        users.Add(new UserSettings
        {
            Sub = "alice",
            Username = "alice",
            Email = "alice@example.com",
            PhoneNumber = "+15555550100",
            Name = "Alice Example",
            Password = AlicePassword,
            UserCode = "1234",
            Claims = { ["given_name"] = "Alice", ["family_name"] = "Example" },
        });
        users.Add(new UserSettings
        {
            Sub = "bob",
            Username = "bob",
            Email = "bob@example.com",
            PhoneNumber = "+15555550101",
            Name = "Bob Example",
            Password = BobPassword,
            UserCode = "5678",
            Claims = { ["given_name"] = "Bob", ["family_name"] = "Example" },
        });
    }

    public static void AddClients(List<ClientMetadata> clients, string issuer)
    {
        clients.Add(new ClientMetadata
        {
            ClientId = PollClientId,
            ClientSecret = PollClientSecret,
            ClientName = "Demo poll client",
            TokenEndpointAuthMethod = ClientAuthenticationMethods.ClientSecretBasic,
            BackchannelTokenDeliveryMode = DeliveryModes.Poll,
            GrantTypes = [GrantTypes.Ciba, GrantTypes.RefreshToken],
        });
        clients.Add(new ClientMetadata
        {
            ClientId = PingClientId,
            ClientSecret = PingClientSecret,
            ClientName = "Demo ping client",
            BackchannelTokenDeliveryMode = DeliveryModes.Ping,
            BackchannelClientNotificationEndpoint = issuer + NotificationSinkPath,
            GrantTypes = [GrantTypes.Ciba, GrantTypes.RefreshToken],
        });
        clients.Add(new ClientMetadata
        {
            ClientId = PushClientId,
            ClientSecret = PushClientSecret,
            ClientName = "Demo push client",
            BackchannelTokenDeliveryMode = DeliveryModes.Push,
            BackchannelClientNotificationEndpoint = issuer + NotificationSinkPath,
            GrantTypes = [GrantTypes.Ciba, GrantTypes.RefreshToken],
        });
    }
}
