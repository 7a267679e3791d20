using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests.Fapi;

/// <summary>
/// One provider for a class of FAPI-CIBA tests, on the system clock (assertions, request objects and DPoP proofs are made
/// from the real time): <c>Fapi:Profile</c> Fapi2Ciba for the whole provider, the ordinary test clients exempted by their
/// own <c>fapi_profile</c> None, open dynamic registration, and four private_key_jwt clients: a poll client (ES256) and a
/// ping client (PS256) under the provider's Fapi2Ciba, and two poll clients that chose Fapi1Ciba (PS256, ES256).
/// </summary>
public sealed class SharedFapiProvider : SharedProvider
{
    internal const string Fapi2Poll = "fapi2-poll";
    internal const string Fapi2Ping = "fapi2-ping";
    internal const string Fapi1Poll = "fapi1-poll";
    internal const string Fapi1Other = "fapi1-other";

    internal static readonly TestKey Fapi2PollKey = TestKey.EllipticCurve();
    internal static readonly TestKey Fapi2PingKey = TestKey.Rsa("PS256");
    internal static readonly TestKey Fapi1PollKey = TestKey.Rsa("PS256");
    internal static readonly TestKey Fapi1OtherKey = TestKey.EllipticCurve();

    private NotificationReceiver? _receiver;

    internal NotificationReceiver Receiver => _receiver ?? throw new InvalidOperationException("The receiver is not started.");

    protected override bool FakeClock => false;

    protected override Dictionary<string, string?> Settings()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Backchannel:Fapi:Profile"] = "Fapi2Ciba",
            ["Backchannel:Registration:Enabled"] = "true",

            [$"Backchannel:Clients:8:client_id"] = Fapi2Poll,
            [$"Backchannel:Clients:8:token_endpoint_auth_method"] = "private_key_jwt",
            [$"Backchannel:Clients:8:backchannel_token_delivery_mode"] = "poll",

            [$"Backchannel:Clients:9:client_id"] = Fapi2Ping,
            [$"Backchannel:Clients:9:token_endpoint_auth_method"] = "private_key_jwt",
            [$"Backchannel:Clients:9:backchannel_token_delivery_mode"] = "ping",
            [$"Backchannel:Clients:9:backchannel_client_notification_endpoint"] = Receiver.Endpoint,

            [$"Backchannel:Clients:10:client_id"] = Fapi1Poll,
            [$"Backchannel:Clients:10:fapi_profile"] = "Fapi1Ciba",
            [$"Backchannel:Clients:10:token_endpoint_auth_method"] = "private_key_jwt",
            [$"Backchannel:Clients:10:backchannel_token_delivery_mode"] = "poll",
            [$"Backchannel:Clients:10:tls_client_certificate_bound_access_tokens"] = "true",

            [$"Backchannel:Clients:11:client_id"] = Fapi1Other,
            [$"Backchannel:Clients:11:fapi_profile"] = "Fapi1Ciba",
            [$"Backchannel:Clients:11:token_endpoint_auth_method"] = "private_key_jwt",
            [$"Backchannel:Clients:11:backchannel_token_delivery_mode"] = "poll",
            [$"Backchannel:Clients:11:tls_client_certificate_bound_access_tokens"] = "true",
        };

        // The ordinary test clients (secrets, an RS256 request signer) are exempted from the provider's profile by an operator's choice.
        for (var i = 0; i <= 5; i++)
        {
            settings[$"Backchannel:Clients:{i}:fapi_profile"] = "None";
        }

        foreach (var (index, key) in new[] { (8, Fapi2PollKey), (9, Fapi2PingKey), (10, Fapi1PollKey), (11, Fapi1OtherKey) })
        {
            foreach (var (name, value) in key.AsConfiguration($"Backchannel:Clients:{index}"))
            {
                settings[name] = value;
            }
        }

        return settings;
    }

    public override async Task InitializeAsync()
    {
        _receiver = await NotificationReceiver.StartAsync(FreePort.Next());
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_receiver is not null)
        {
            await _receiver.DisposeAsync();
        }
    }
}
