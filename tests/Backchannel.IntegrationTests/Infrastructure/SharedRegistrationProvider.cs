namespace Backchannel.IntegrationTests.Infrastructure;

/// <summary>
/// One provider for a class of registration tests, on the system clock (the openid-client interop script keeps its own
/// time), with dynamic registration on: two initial access tokens (the list form of the setting), a rotated registration
/// access token on every update, two notification endpoints a ping client can move between, and a configured client
/// that carries a per-client policy in its settings.
/// </summary>
public sealed class SharedRegistrationProvider : SharedProvider
{
    public const string InitialAccessToken = "initial-access-token-0123456789abcdef";
    public const string OtherInitialAccessToken = "second-initial-access-token-abcdefghijkl";

    /// <summary>A configured client with a policy in its settings: login_hint only, binding_message required and patterned.</summary>
    public const string PolicyClient = "policy-settings-client";
    public const string PolicyClientSecret = "policy-settings-client-secret";

    private NotificationReceiver? _receiver;
    private NotificationReceiver? _otherReceiver;

    internal NotificationReceiver Receiver => _receiver ?? throw new InvalidOperationException("The receiver is not started.");

    internal NotificationReceiver OtherReceiver => _otherReceiver ?? throw new InvalidOperationException("The receiver is not started.");

    protected override bool FakeClock => false;

    protected override Dictionary<string, string?> Settings() => new()
    {
        ["Backchannel:Registration:Enabled"] = "true",
        ["Backchannel:Registration:InitialAccessToken:0"] = InitialAccessToken,
        ["Backchannel:Registration:InitialAccessToken:1"] = OtherInitialAccessToken,
        ["Backchannel:Registration:RotateAccessToken"] = "true",
        ["Backchannel:Clients:8:client_id"] = PolicyClient,
        ["Backchannel:Clients:8:client_secret"] = PolicyClientSecret,
        ["Backchannel:Clients:8:backchannel_token_delivery_mode"] = "poll",
        ["Backchannel:Clients:8:backchannel_allowed_hint_types:0"] = "login_hint",
        ["Backchannel:Clients:8:backchannel_binding_message_required"] = "true",
        ["Backchannel:Clients:8:backchannel_binding_message_pattern"] = "^[A-Z0-9-]{4,12}$",
        ["Backchannel:Clients:8:backchannel_default_expiry_seconds"] = "45",
        ["Backchannel:Clients:8:backchannel_max_expiry_seconds"] = "90",
        ["Backchannel:Clients:8:backchannel_polling_interval_seconds"] = "4",
    };

    public override async Task InitializeAsync()
    {
        _receiver = await NotificationReceiver.StartAsync(FreePort.Next());
        _otherReceiver = await NotificationReceiver.StartAsync(FreePort.Next());
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var receiver in new[] { _receiver, _otherReceiver })
        {
            if (receiver is not null)
            {
                await receiver.DisposeAsync();
            }
        }
    }
}
