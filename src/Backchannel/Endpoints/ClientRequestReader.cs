using Backchannel.Diagnostics;
using Backchannel.Domain;
using Backchannel.Protocol;
using Backchannel.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.Endpoints;

/// <summary>A form request of an authenticated client, or why it is refused.</summary>
internal sealed record ClientRequest(RequestParameters? Form, Client? Client, ProtocolError? Error, bool BasicChallenge)
{
    /// <summary>The client certificate of the request's mutual-TLS connection, if any (<see cref="MtlsHttp"/>).</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? Certificate { get; init; }

    public bool Succeeded => Error is null;
}

/// <summary>What the backchannel authentication and token endpoints both do first: read the form, authenticate the client.</summary>
internal static class ClientRequestReader
{
    public static async ValueTask<ClientRequest> ReadAsync(HttpContext context, long maxBodyBytes)
    {
        var form = await ProtocolHttp.ReadFormAsync(context, maxBodyBytes);
        if (!form.Succeeded)
        {
            return new ClientRequest(null, null, form.Error, false);
        }

        var certificate = MtlsHttp.Certificate(context);
        var credentials = ClientCredentials.Read(context.Request.Headers.Authorization, form.Value, certificate);
        if (!credentials.Succeeded)
        {
            return new ClientRequest(form.Value, null, credentials.Error, false);
        }

        var client = await context.RequestServices.GetRequiredService<ClientAuthenticator>()
            .AuthenticateAsync(credentials.Value, context.RequestAborted);
        if (client.Succeeded)
        {
            return new ClientRequest(form.Value, client.Value, null, false) { Certificate = certificate };
        }

        // The reason goes to the audit log only: one answer for every failure tells an attacker nothing about which clients exist.
        context.RequestServices.GetRequiredService<AuditLog>()
            .ClientAuthenticationFailed(credentials.Value.ClientId, credentials.Value.MethodForLog, client.Error.Description);
        return new ClientRequest(form.Value, null, ClientAuthenticator.Failed, credentials.Value.Method == ClientAuthenticationMethods.ClientSecretBasic);
    }
}
