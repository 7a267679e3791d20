using Backchannel.Protocol;
using Microsoft.Extensions.Options;

namespace Backchannel.Abstractions;

/// <summary>The issuer and the absolute URLs of the provider's endpoints, derived from <see cref="ProviderOptions.Issuer"/>.</summary>
public sealed class ProviderUrls
{
    public ProviderUrls(IOptions<ProviderOptions> options)
        : this(options.Value.Issuer ?? string.Empty)
    {
    }

    public ProviderUrls(string issuer)
    {
        Issuer = issuer.TrimEnd('/');
        BasePath = Uri.TryCreate(Issuer, UriKind.Absolute, out var uri) ? uri.AbsolutePath.TrimEnd('/') : string.Empty;
        TokenEndpoint = Issuer + EndpointPaths.Token;
        BackchannelAuthenticationEndpoint = Issuer + EndpointPaths.BackchannelAuthentication;
        DeviceCallback = Issuer + EndpointPaths.DeviceCallback;
        RevocationEndpoint = Issuer + EndpointPaths.Revocation;
        IntrospectionEndpoint = Issuer + EndpointPaths.Introspection;
        AssertionAudiences = [Issuer, Issuer + "/", TokenEndpoint, BackchannelAuthenticationEndpoint];
        ClientAssertionAudiences = [.. AssertionAudiences, RevocationEndpoint, IntrospectionEndpoint];
    }

    /// <summary>The issuer, without a trailing slash.</summary>
    public string Issuer { get; }

    /// <summary>The path of the issuer (empty, or e.g. <c>/ciba</c>): the endpoints are served under it.</summary>
    public string BasePath { get; }

    public string TokenEndpoint { get; }

    public string BackchannelAuthenticationEndpoint { get; }

    /// <summary>Where the external device service answers (<c>POST /ciba/callback</c>).</summary>
    public string DeviceCallback { get; }

    /// <summary>Token revocation (RFC 7009).</summary>
    public string RevocationEndpoint { get; }

    /// <summary>Token introspection (RFC 7662).</summary>
    public string IntrospectionEndpoint { get; }

    /// <summary>The audiences a client assertion or request object may name: the issuer, the token endpoint, the backchannel endpoint.</summary>
    public IReadOnlyList<string> AssertionAudiences { get; }

    /// <summary>
    /// The audiences a client assertion may name: those of <see cref="AssertionAudiences"/>, and the revocation and
    /// introspection endpoints, where clients authenticate too.
    /// </summary>
    public IReadOnlyList<string> ClientAssertionAudiences { get; }

    public string Endpoint(string path) => Issuer + path;
}
