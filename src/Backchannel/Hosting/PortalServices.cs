using Backchannel.Channels;
using Backchannel.Channels.Email;
using Backchannel.Channels.Portal;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Backchannel.Hosting;

/// <summary>
/// The portal and e-mail channels: their channel types, services, the portal's cookie sign-in (a scheme of its own) and
/// ASP.NET Core anti-forgery. Cookies and anti-forgery tokens are protected by the Data Protection key ring that every
/// node of one store already shares (it protects the stored keys), so a session works on every node.
/// </summary>
internal static class PortalServices
{
    private const string SuppressAutoDefaultScheme = "Microsoft.AspNetCore.Authentication.SuppressAutoDefaultScheme";

    public static void Add(IServiceCollection services)
    {
        services.AddSingleton(PortalChannel.Type);
        services.AddSingleton(EmailChannel.Type);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ChannelOptions>, PortalChannelOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ChannelOptions>, EmailChannelOptionsValidator>());

        services.AddSingleton<TransactionTokens>();
        services.AddSingleton<PortalPaths>();
        services.AddSingleton<PortalHtml>();
        services.AddSingleton<SignInRateLimiter>();
        services.AddSingleton<PortalSignIn>();
        services.AddSingleton<PortalRequests>();
        services.AddSingleton<PortalLiveView>();
        services.AddSingleton<PortalHistory>();
        services.AddSingleton<EmailLinks>();
        services.AddSingleton<EmailConfirmation>();
        services.TryAddSingleton<IEmailSender, SmtpEmailSender>();
        services.AddSingleton(provider => new PortalBanner(Banner(
            provider.GetRequiredService<IHostEnvironment>().IsDevelopment(), provider.GetRequiredService<IOptions<DemoOptions>>().Value.Applied)));

        services.AddAntiforgery();
        services.Configure<AntiforgeryOptions>(antiforgery => antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        // The portal authenticates its session explicitly (PortalHttp), so no scheme needs to be the default. Without the
        // switch, the portal's scheme, when it is the only one registered, would be every request's default, and the
        // authentication middleware would read the portal cookie on every protocol request (2% of a flow's CPU). A host
        // with schemes of its own has no automatic default anyway (there are then several), so the switch changes nothing for it.
        AppContext.SetSwitch(SuppressAutoDefaultScheme, true);
        services.AddAuthentication().AddCookie(PortalSession.Scheme);
        services.AddOptions<CookieAuthenticationOptions>(PortalSession.Scheme)
            .Configure<PortalPaths, IOptions<ChannelOptions>, TimeProvider>((cookie, paths, channels, time) =>
            {
                cookie.Cookie.Name = PortalSession.CookieName;
                cookie.Cookie.Path = paths.CookiePath;
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                cookie.ExpireTimeSpan = TimeSpan.FromMinutes(channels.Value.Portal.SessionMinutes);
                cookie.SlidingExpiration = true;
                cookie.TimeProvider = time;
                cookie.Events.OnRedirectToLogin = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return Task.CompletedTask;
                };
                cookie.Events.OnRedirectToAccessDenied = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return Task.CompletedTask;
                };
            });
    }

    /// <summary>The banner of the portal's pages: in Development, that it is one, and the demo users' passwords when the demo data is in.</summary>
    public static string? Banner(bool development, bool demo) => !development ? null
        : demo ? $"Development server: the demo users can sign in: alice with password {DemoData.AlicePassword}, bob with password {DemoData.BobPassword}."
        : "Development server.";
}
