using Backchannel.Clients;
using Backchannel.Domain;
using Backchannel.Protocol;

namespace Backchannel.Tests;

/// <summary>The RFC 8705 client metadata, as the one validator of settings, registration and the admin API checks it.</summary>
public class MutualTlsMetadataTests
{
    private static ClientValidationSettings Settings(bool mtls = true) => new()
    {
        DeliveryModes = DeliveryModes.All,
        RequestSigningAlgorithms = [SigningAlgorithms.PS256, SigningAlgorithms.ES256],
        MtlsEnabled = mtls,
    };

    private static ClientMetadata TlsClient(Action<ClientMetadata>? change = null)
    {
        var metadata = new ClientMetadata
        {
            ClientId = "mtls-client",
            TokenEndpointAuthMethod = ClientAuthenticationMethods.TlsClientAuth,
            TlsClientAuthSubjectDn = "CN=mtls-client,O=Example Bank,C=GB",
            BackchannelTokenDeliveryMode = DeliveryModes.Poll,
        };
        change?.Invoke(metadata);
        return metadata;
    }

    private static ClientMetadata SelfSignedClient(Action<ClientMetadata>? change = null)
    {
        var metadata = new ClientMetadata
        {
            ClientId = "self-signed-client",
            TokenEndpointAuthMethod = ClientAuthenticationMethods.SelfSignedTlsClientAuth,
            Jwks = new JwksDocument
            {
                Keys = [new() { ["kty"] = "EC", ["crv"] = "P-256", ["x"] = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", ["y"] = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0" }],
            },
            BackchannelTokenDeliveryMode = DeliveryModes.Poll,
        };
        change?.Invoke(metadata);
        return metadata;
    }

    private static Client Valid(ClientMetadata metadata, ClientValidationSettings? settings = null)
    {
        var result = ClientMetadataValidator.Validate(metadata, settings ?? Settings());
        Assert.True(result.Client is not null, result.Describe());
        return result.Client;
    }

    private static void Invalid(ClientMetadata metadata, string expected, ClientValidationSettings? settings = null)
    {
        var result = ClientMetadataValidator.Validate(metadata, settings ?? Settings());
        Assert.Null(result.Client);
        Assert.Contains(result.Errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(TlsClientAuthSubjectKind.SubjectDn, "CN=mtls-client,O=Example Bank,C=GB")]
    [InlineData(TlsClientAuthSubjectKind.SanDns, "client.example.com")]
    [InlineData(TlsClientAuthSubjectKind.SanUri, "https://client.example.com/id")]
    [InlineData(TlsClientAuthSubjectKind.SanIp, "192.0.2.10")]
    [InlineData(TlsClientAuthSubjectKind.SanEmail, "ops@client.example.com")]
    public void A_tls_client_auth_client_names_its_certificate_with_exactly_one_member(TlsClientAuthSubjectKind kind, string value)
    {
        var metadata = TlsClient(m =>
        {
            m.TlsClientAuthSubjectDn = null;
            switch (kind)
            {
                case TlsClientAuthSubjectKind.SubjectDn: m.TlsClientAuthSubjectDn = value; break;
                case TlsClientAuthSubjectKind.SanDns: m.TlsClientAuthSanDns = value; break;
                case TlsClientAuthSubjectKind.SanUri: m.TlsClientAuthSanUri = value; break;
                case TlsClientAuthSubjectKind.SanIp: m.TlsClientAuthSanIp = value; break;
                default: m.TlsClientAuthSanEmail = value; break;
            }
        });

        var client = Valid(metadata);

        Assert.Equal(kind, client.CertificateSubject!.Kind);
        Assert.Equal(value, client.CertificateSubject.Value);
        Assert.Null(client.SecretHash);
        var echoed = ClientMetadataValidator.Validate(metadata, Settings()).Metadata!;
        Assert.Equal(value, kind switch
        {
            TlsClientAuthSubjectKind.SubjectDn => echoed.TlsClientAuthSubjectDn,
            TlsClientAuthSubjectKind.SanDns => echoed.TlsClientAuthSanDns,
            TlsClientAuthSubjectKind.SanUri => echoed.TlsClientAuthSanUri,
            TlsClientAuthSubjectKind.SanIp => echoed.TlsClientAuthSanIp,
            _ => echoed.TlsClientAuthSanEmail,
        });
    }

    [Fact]
    public void A_tls_client_auth_client_without_a_subject_is_refused()
    {
        Invalid(TlsClient(m => m.TlsClientAuthSubjectDn = null), "tls_client_auth needs exactly one of tls_client_auth_subject_dn, tls_client_auth_san_dns");
    }

    [Fact]
    public void A_tls_client_auth_client_with_two_subjects_is_refused_naming_both()
    {
        Invalid(TlsClient(m => m.TlsClientAuthSanDns = "client.example.com"),
            "this client has tls_client_auth_subject_dn, tls_client_auth_san_dns");
    }

    [Fact]
    public void A_malformed_subject_is_refused()
    {
        Invalid(TlsClient(m => m.TlsClientAuthSubjectDn = "no dn"), "tls_client_auth_subject_dn is not a distinguished name");
        Invalid(TlsClient(m => { m.TlsClientAuthSubjectDn = null; m.TlsClientAuthSanIp = "300.1.1.1"; }), "tls_client_auth_san_ip is not an IPv4 or IPv6 address");
    }

    [Fact]
    public void A_subject_on_a_client_of_another_method_is_refused()
    {
        Invalid(new ClientMetadata
        {
            ClientId = "secret-client",
            ClientSecret = "a-long-and-random-client-secret",
            TlsClientAuthSanUri = "https://client.example.com/id",
            BackchannelTokenDeliveryMode = DeliveryModes.Poll,
        }, "tls_client_auth_san_uri is only for token_endpoint_auth_method tls_client_auth");
    }

    [Fact]
    public void A_self_signed_client_needs_its_keys()
    {
        Assert.Null(Valid(SelfSignedClient()).CertificateSubject);
        Invalid(SelfSignedClient(m => m.Jwks = null), "self_signed_tls_client_auth needs the client's certificate keys in jwks or jwks_uri");
    }

    [Theory]
    [InlineData(ClientAuthenticationMethods.TlsClientAuth)]
    [InlineData(ClientAuthenticationMethods.SelfSignedTlsClientAuth)]
    public void The_mutual_tls_methods_need_mutual_tls(string method)
    {
        var metadata = method == ClientAuthenticationMethods.TlsClientAuth ? TlsClient() : SelfSignedClient();

        Invalid(metadata, $"token_endpoint_auth_method '{method}' needs mutual TLS, which this provider has turned off (Mtls:Enabled is false)", Settings(mtls: false));
    }

    [Fact]
    public void Certificate_bound_tokens_are_registered_for_any_method_when_mutual_tls_is_on()
    {
        Assert.True(Valid(TlsClient(m => m.TlsClientCertificateBoundAccessTokens = true)).CertificateBoundAccessTokens);
        Assert.False(Valid(TlsClient()).CertificateBoundAccessTokens);
        Assert.True(Valid(new ClientMetadata
        {
            ClientId = "secret-client",
            ClientSecret = "a-long-and-random-client-secret",
            BackchannelTokenDeliveryMode = DeliveryModes.Poll,
            TlsClientCertificateBoundAccessTokens = true,
        }).CertificateBoundAccessTokens);
    }

    [Fact]
    public void Certificate_bound_tokens_are_refused_without_mutual_tls_with_dpop_binding_and_in_the_push_mode()
    {
        var secretClient = new ClientMetadata
        {
            ClientId = "secret-client",
            ClientSecret = "a-long-and-random-client-secret",
            BackchannelTokenDeliveryMode = DeliveryModes.Poll,
            TlsClientCertificateBoundAccessTokens = true,
        };
        Invalid(secretClient, "tls_client_certificate_bound_access_tokens needs mutual TLS", Settings(mtls: false));

        secretClient.DpopBoundAccessTokens = true;
        Invalid(secretClient, "an access token is bound one way");

        Invalid(TlsClient(m =>
        {
            m.TlsClientCertificateBoundAccessTokens = true;
            m.BackchannelTokenDeliveryMode = DeliveryModes.Push;
            m.BackchannelClientNotificationEndpoint = "https://client.example.com/cb";
        }), "tls_client_certificate_bound_access_tokens cannot be used in the push mode");
    }
}
