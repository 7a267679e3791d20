using Backchannel.Protocol;
using Backchannel.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Backchannel.Hosting;

/// <summary>
/// Behind a TLS-terminating proxy (<c>Mtls:ForwardedCertificateHeader</c>): ASP.NET Core's certificate forwarding reads
/// the client certificate from the header (<see cref="ForwardedCertificate"/> forms), first in the pipeline, but only on
/// connections from <c>Mtls:TrustedProxies</c>; from anywhere else the header is removed before it is read.
/// </summary>
internal static class CertificateForwardingSetup
{
    public static void Add(IServiceCollection services)
    {
        services.AddCertificateForwarding(_ => { });
        services.AddOptions<CertificateForwardingOptions>().Configure<IOptions<MtlsOptions>>((forwarding, mtls) =>
        {
            forwarding.CertificateHeader = mtls.Value.ForwardedCertificateHeader ?? forwarding.CertificateHeader;
            forwarding.HeaderConverter = header => ForwardedCertificate.Parse(header)!;
        });
        services.AddSingleton<IStartupFilter, Filter>();
    }

    private sealed class Filter(IOptions<MtlsOptions> mtls) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            if (!mtls.Value.Enabled || mtls.Value.ForwardedCertificateHeader is not { Length: > 0 } header)
            {
                next(app);
                return;
            }

            var proxies = new TrustedProxyList(mtls.Value.TrustedProxyNetworks());
            app.Use((context, nextMiddleware) =>
            {
                if (context.Request.Headers.ContainsKey(header) && !proxies.IsTrusted(context.Connection.RemoteIpAddress))
                {
                    context.Request.Headers.Remove(header);
                }

                return nextMiddleware(context);
            });
            app.UseCertificateForwarding();
            next(app);
        };
    }
}
