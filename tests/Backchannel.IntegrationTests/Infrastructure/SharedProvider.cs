namespace Backchannel.IntegrationTests.Infrastructure;

/// <summary>
/// One provider for every test of a class (xunit class fixture): started once, on a clock the tests advance
/// (<see cref="TestClock"/>, a FakeTimeProvider starting now), with the default test settings. Tests of the class run one
/// after another; each finds its own device notification by its binding message. Subclasses add settings or run on the
/// system clock.
/// </summary>
public class SharedProvider : IAsyncLifetime
{
    private TestProvider? _provider;

    internal TestProvider Provider => _provider ?? throw new InvalidOperationException("The shared provider is not started.");

    /// <summary>Settings that override or add to the test settings.</summary>
    protected virtual Dictionary<string, string?> Settings() => [];

    /// <summary>Whether the provider runs on a <see cref="TestClock"/> (else on the system clock).</summary>
    protected virtual bool FakeClock => true;

    public virtual async Task InitializeAsync() =>
        _provider = await TestProvider.StartAsync(Settings(), time: FakeClock ? new TestClock() : TimeProvider.System);

    public virtual async Task DisposeAsync()
    {
        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }
    }
}

/// <summary>
/// A shared provider on the system clock, for classes whose tests make JWTs from the real time (client assertions,
/// request objects, login_hint_tokens) or run a client library that keeps its own time.
/// </summary>
public sealed class SharedSystemClockProvider : SharedProvider
{
    protected override bool FakeClock => false;
}

/// <summary>
/// A shared provider on a <see cref="TestClock"/> whose ping and push test clients notify one shared
/// <see cref="NotificationReceiver"/>. Tests take the calls of their own requests by auth_req_id. Subclasses add settings.
/// </summary>
public class SharedNotifyingProvider : SharedProvider
{
    private NotificationReceiver? _receiver;

    internal NotificationReceiver Receiver => _receiver ?? throw new InvalidOperationException("The shared receiver is not started.");

    protected override Dictionary<string, string?> Settings() => TestClients.Notifying(Receiver.Endpoint);

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
