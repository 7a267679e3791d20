using Backchannel.Configuration;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Backchannel.Hosting;

/// <summary>On a first run with the demo data, prints the demo users and clients and how to run a flow by hand.</summary>
internal sealed class DemoBanner(IOptions<BackchannelOptions> options, IHostApplicationLifetime lifetime, IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Demo.Applied)
        {
            lifetime.ApplicationStarted.Register(Print);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Print()
    {
        var issuer = options.Value.IssuerUri;
        var listening = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? issuer;
        var basic = $"{DemoData.PollClientId}:{DemoData.PollClientSecret}";
        Console.WriteLine($"""

            Backchannel is running at {listening} (issuer {issuer}) with demo data.
              users:   alice (alice@example.com, user_code 1234), bob (bob@example.com, user_code 5678)
              clients: {DemoData.PollClientId} / {DemoData.PollClientSecret} (poll), {DemoData.PingClientId} / {DemoData.PingClientSecret} (ping),
                       {DemoData.PushClientId} / {DemoData.PushClientSecret} (push); ping and push notifications are logged here
              device:  the 'log' channel: approval commands appear in this log (set Backchannel:Channels:Http:Url for a real device service)

            Try a flow in another terminal:
              1. ask alice to approve:
                 curl -s -u {basic} -d scope=openid -d login_hint=alice -d binding_message=Hello {issuer}/bc-authorize
              2. approve as alice's device: run the 'approve:' command printed here
              3. collect the tokens (use the auth_req_id from step 1):
                 curl -s -u {basic} -d grant_type=urn:openid:params:grant-type:ciba -d auth_req_id=AUTH_REQ_ID {issuer}/token
              Ping and push clients also send a client_notification_token (22+ characters), e.g. with -u {DemoData.PushClientId}:{DemoData.PushClientSecret}:
                 curl -s -u {DemoData.PushClientId}:{DemoData.PushClientSecret} -d scope=openid -d login_hint=bob -d client_notification_token=demo-notification-token-0123456789 {issuer}/bc-authorize

            """);
    }
}
