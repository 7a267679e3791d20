using System.Text.Json;
using Backchannel.Configuration;
using Backchannel.Json;
using Backchannel.Protocol;
using Backchannel.Users;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Backchannel.Endpoints;

/// <summary>GET /.well-known/openid-configuration: the provider metadata, with the CIBA metadata (CIBA 4).</summary>
internal static class DiscoveryEndpoint
{
    public static Task HandleAsync(HttpContext context)
    {
        var document = context.RequestServices.GetRequiredService<DiscoveryDocumentCache>().Json;
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "public, max-age=300";
        return context.Response.Body.WriteAsync(document, context.RequestAborted).AsTask();
    }

    public static DiscoveryDocument Build(BackchannelOptions options)
    {
        var issuer = options.IssuerUri;
        return new DiscoveryDocument
        {
            Issuer = issuer,
            BackchannelAuthenticationEndpoint = issuer + EndpointPaths.BackchannelAuthentication,
            TokenEndpoint = issuer + EndpointPaths.Token,
            JwksUri = issuer + EndpointPaths.Jwks,
            UserInfoEndpoint = issuer + EndpointPaths.UserInfo,
            ScopesSupported = Scopes.Standard,
            ResponseTypesSupported = [],
            GrantTypesSupported = GrantTypes.Supported,
            SubjectTypesSupported = ["public"],
            IdTokenSigningAlgValuesSupported = [options.Tokens.SigningAlgorithm],
            TokenEndpointAuthMethodsSupported = ClientAuthenticationMethods.Supported,
            TokenEndpointAuthSigningAlgValuesSupported = SigningAlgorithms.Asymmetric,
            ClaimsSupported = [.. UserClaims.Supported, "iss", "aud", "exp", "iat", "auth_time", "acr", "amr"],
            RequestParameterSupported = true,
            BackchannelTokenDeliveryModesSupported = options.Ciba.EffectiveDeliveryModes,
            BackchannelAuthenticationRequestSigningAlgValuesSupported = options.Ciba.EffectiveRequestSigningAlgorithms,
            BackchannelUserCodeParameterSupported = options.Ciba.UserCodeSupported,
            TlsClientCertificateBoundAccessTokens = false,
        };
    }
}

/// <summary>The discovery document, serialized once.</summary>
internal sealed class DiscoveryDocumentCache(IOptions<BackchannelOptions> options)
{
    public byte[] Json { get; } = JsonSerializer.SerializeToUtf8Bytes(DiscoveryEndpoint.Build(options.Value), BackchannelJsonContext.Default.DiscoveryDocument);
}
