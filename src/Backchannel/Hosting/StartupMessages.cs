using Backchannel.Abstractions;
using Backchannel.Channels;
using Backchannel.Channels.Portal;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Backchannel.Hosting;

/// <summary>
/// Once the server listens: warns when a loopback issuer names an address the server does not listen on, or when mutual
/// TLS is on without a proxy and the server has no HTTPS listener on the port of <c>Mtls:BaseUrl</c>; and on a run
/// with the demo data prints the demo users and clients, the channel in use and how to run a flow by hand.
/// </summary>
internal sealed partial class StartupMessages(
    IOptions<DemoOptions> demo,
    IOptions<Backchannel.Security.MtlsOptions> mtls,
    ProviderUrls urls,
    ChannelRegistry channels,
    IStoreLifecycle store,
    IHostApplicationLifetime lifetime,
    IServiceProvider services,
    ILogger<StartupMessages> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(OnStarted);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void OnStarted()
    {
        var addresses = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
        if (Uri.TryCreate(urls.Issuer, UriKind.Absolute, out var issuer) && (issuer.IsLoopback || issuer.Host == "localhost")
            && addresses.Count > 0 && !addresses.Any(a => Uri.TryCreate(a, UriKind.Absolute, out var bound) && bound.Port == issuer.Port))
        {
            LogIssuerMismatch(logger, urls.Issuer, string.Join(", ", addresses));
        }

        if (mtls.Value is { AliasPort: { } aliasPort, ForwardedCertificateHeader: null or "" } && addresses.Count > 0
            && !addresses.Any(a => Uri.TryCreate(a, UriKind.Absolute, out var bound) && bound.Scheme == Uri.UriSchemeHttps && bound.Port == aliasPort))
        {
            LogNoMtlsListener(logger, mtls.Value.BaseUrl!, string.Join(", ", addresses));
        }

        if (demo.Value.Applied)
        {
            PrintDemo(addresses.FirstOrDefault() ?? urls.Issuer);
        }
    }

    private void PrintDemo(string listening)
    {
        var issuer = urls.Issuer;
        var basic = $"{DemoData.PollClientId}:{DemoData.PollClientSecret}";
        var channel = channels.Default;
        var portal = issuer + PortalPaths.Home;
        var device = channel switch
        {
            ChannelType.Log => "the 'log' channel: each request's approve and deny commands appear in this log (set Backchannel:Channels:Http:Url for a device service)",
            ChannelType.Portal => $"the 'portal' channel: the user's web portal at {portal} shows each request live",
            _ => $"the '{channel}' channel ({channels.Settings(channel)?.Url ?? "registered by the host"})",
        };
        var approve = channel switch
        {
            ChannelType.Log => "run the 'approve:' command printed here (it prints 204 when the decision is recorded)",
            ChannelType.Portal => $"open {portal} in a browser, sign in as alice (password {DemoData.AlicePassword}) and press Approve",
            _ => $"your device service answers at {urls.DeviceCallback}",
        };
        var portalLine = channels.Settings(ChannelType.Portal) is null ? string.Empty
            : $"\n  portal:  {portal} (sign in as alice / {DemoData.AlicePassword} or bob / {DemoData.BobPassword})";
        Console.WriteLine($"""

            Backchannel is running at {listening} (issuer {issuer}) with demo data; store: {store.Description}.
              users:   alice (alice@example.com, password {DemoData.AlicePassword}, user_code 1234), bob (bob@example.com, password {DemoData.BobPassword}, user_code 5678)
              clients: {DemoData.PollClientId} / {DemoData.PollClientSecret} (poll), {DemoData.PingClientId} / {DemoData.PingClientSecret} (ping),
                       {DemoData.PushClientId} / {DemoData.PushClientSecret} (push); ping and push notifications are logged here
              device:  {device}{portalLine}

            Try a flow in another terminal:
              1. ask alice to approve:
                 curl -s -u {basic} --data-urlencode scope=openid --data-urlencode login_hint=alice --data-urlencode 'binding_message=Hello' {issuer}/bc-authorize
              2. approve as alice's device: {approve}
              3. collect the tokens (use the auth_req_id from step 1):
                 curl -s -u {basic} --data-urlencode grant_type=urn:openid:params:grant-type:ciba --data-urlencode auth_req_id=AUTH_REQ_ID {issuer}/token
              Ping and push clients also send a client_notification_token (22+ characters), e.g.:
                 curl -s -u {DemoData.PushClientId}:{DemoData.PushClientSecret} --data-urlencode scope=openid --data-urlencode login_hint=bob --data-urlencode client_notification_token=demo-notification-token-0123456789 {issuer}/bc-authorize

            """);
    }

    [LoggerMessage(1, LogLevel.Warning,
        "The issuer {Issuer} names a port the server does not listen on ({Addresses}): clients will call the wrong address. " +
        "Set Backchannel:Issuer to the address clients reach (e.g. --urls http://127.0.0.1:5055 --Backchannel:Issuer=http://127.0.0.1:5055), or leave it empty in Development.")]
    private static partial void LogIssuerMismatch(ILogger logger, string issuer, string addresses);

    [LoggerMessage(2, LogLevel.Error,
        "Backchannel:Mtls:BaseUrl is {BaseUrl}, but the server has no HTTPS listener on its port ({Addresses}): no client can present a certificate. " +
        "Add one in Kestrel:Endpoints with a server certificate (see docs/fapi.md), or set Backchannel:Mtls:ForwardedCertificateHeader behind a TLS-terminating proxy.")]
    private static partial void LogNoMtlsListener(ILogger logger, string baseUrl, string addresses);
}
