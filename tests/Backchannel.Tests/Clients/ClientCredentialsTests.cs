using System.Text;
using Backchannel.Security;
using Backchannel.Protocol;
using Microsoft.Extensions.Primitives;

namespace Backchannel.Tests;

public class ClientCredentialsTests
{
    private static RequestParameters Form(params (string Name, string Value)[] values) =>
        new(values.ToDictionary(v => v.Name, v => new StringValues(v.Value)));

    private static string Basic(string raw) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(raw));

    private static ClientCredentials Read(string? header, RequestParameters form)
    {
        var result = ClientCredentials.Read(header, form);
        Assert.True(result.Succeeded, result.Error?.ToString());
        return result.Value;
    }

    private static ProtocolError Error(string? header, RequestParameters form)
    {
        var result = ClientCredentials.Read(header, form);
        Assert.False(result.Succeeded);
        return result.Error;
    }

    [Fact]
    public void Basic_header_gives_client_secret_basic()
    {
        var credentials = Read(Basic("client-a:s3cret"), Form(("grant_type", GrantTypes.Ciba)));

        Assert.Equal(ClientAuthenticationMethods.ClientSecretBasic, credentials.Method);
        Assert.Equal("client-a", credentials.ClientId);
        Assert.Equal("s3cret", credentials.Secret);
        Assert.Null(credentials.Assertion);
    }

    [Fact]
    public void Basic_header_id_and_secret_are_url_decoded()
    {
        var credentials = Read(Basic("my%20client%3A1:p%40ss%3Aw%2Frd%2B+x"), RequestParameters.Empty);

        Assert.Equal("my client:1", credentials.ClientId);
        Assert.Equal("p@ss:w/rd+ x", credentials.Secret);
    }

    [Fact]
    public void Basic_scheme_is_case_insensitive()
    {
        var credentials = Read("bAsIc " + Convert.ToBase64String("client-a:s3cret"u8), RequestParameters.Empty);

        Assert.Equal("client-a", credentials.ClientId);
    }

    [Fact]
    public void Basic_secret_may_contain_colons()
    {
        Assert.Equal("a:b:c", Read(Basic("client-a:a:b:c"), RequestParameters.Empty).Secret);
    }

    [Fact]
    public void Basic_header_with_matching_body_client_id_is_accepted()
    {
        Assert.Equal("client-a", Read(Basic("client-a:s3cret"), Form(("client_id", "client-a"))).ClientId);
    }

    [Fact]
    public void Body_client_id_differing_from_basic_is_invalid_client()
    {
        var error = Error(Basic("client-a:s3cret"), Form(("client_id", "client-b")));

        Assert.Equal(ErrorCodes.InvalidClient, error.Error);
        Assert.Equal(401, error.StatusCode);
    }

    [Theory]
    [InlineData("Basic !!!not-base64!!!")]
    [InlineData("Basic ")]
    [InlineData("Basic Y2xpZW50LWE=")] // "client-a": no colon
    [InlineData("Basic OnNlY3JldA==")] // ":secret": empty client id
    public void Malformed_basic_header_is_invalid_client(string header)
    {
        var result = ClientCredentials.Read(header, RequestParameters.Empty);

        Assert.False(result.Succeeded);
        Assert.Equal(ErrorCodes.InvalidClient, result.Error.Error);
        Assert.Equal(401, result.Error.StatusCode);
    }

    [Fact]
    public void Client_secret_in_the_body_gives_client_secret_post()
    {
        var credentials = Read(null, Form(("client_id", "client-a"), ("client_secret", "s3cret")));

        Assert.Equal(ClientAuthenticationMethods.ClientSecretPost, credentials.Method);
        Assert.Equal("client-a", credentials.ClientId);
        Assert.Equal("s3cret", credentials.Secret);
    }

    [Fact]
    public void Client_assertion_gives_private_key_jwt()
    {
        var credentials = Read(null, Form(
            ("client_assertion", "eyJ.eyJ.sig"),
            ("client_assertion_type", ClientAuthenticationMethods.JwtBearerAssertionType)));

        Assert.Equal(ClientAuthenticationMethods.PrivateKeyJwt, credentials.Method);
        Assert.Equal("eyJ.eyJ.sig", credentials.Assertion);
        Assert.Equal(ClientAuthenticationMethods.JwtBearerAssertionType, credentials.AssertionType);
        Assert.Null(credentials.ClientId);
        Assert.Null(credentials.Secret);
    }

    [Fact]
    public void Client_assertion_keeps_the_body_client_id()
    {
        Assert.Equal("client-a", Read(null, Form(("client_id", "client-a"), ("client_assertion", "a.b.c"))).ClientId);
    }

    [Fact]
    public void Basic_and_client_secret_post_together_are_invalid_request()
    {
        var error = Error(Basic("client-a:s3cret"), Form(("client_secret", "s3cret")));

        Assert.Equal(ErrorCodes.InvalidRequest, error.Error);
        Assert.Equal(400, error.StatusCode);
    }

    [Fact]
    public void Client_secret_and_client_assertion_together_are_invalid_request()
    {
        var error = Error(null, Form(("client_id", "client-a"), ("client_secret", "s3cret"), ("client_assertion", "a.b.c")));

        Assert.Equal(ErrorCodes.InvalidRequest, error.Error);
    }

    [Fact]
    public void Basic_and_client_assertion_together_are_invalid_request()
    {
        Assert.Equal(ErrorCodes.InvalidRequest, Error(Basic("client-a:s3cret"), Form(("client_assertion", "a.b.c"))).Error);
    }

    [Fact]
    public void No_credentials_give_no_method_and_the_body_client_id()
    {
        var credentials = Read(null, Form(("client_id", "client-a")));

        Assert.Null(credentials.Method);
        Assert.Equal("client-a", credentials.ClientId);
    }

    [Theory]
    [InlineData("Bearer abc.def.ghi")]
    [InlineData("")]
    public void Other_authorization_schemes_are_not_client_authentication(string header)
    {
        var credentials = Read(header, RequestParameters.Empty);

        Assert.Null(credentials.Method);
        Assert.Null(credentials.ClientId);
    }

    [Fact]
    public void Empty_client_secret_in_the_body_counts_as_absent()
    {
        var credentials = Read(null, Form(("client_id", "client-a"), ("client_secret", "")));

        Assert.Null(credentials.Method);
    }

    [Fact]
    public void A_certificate_with_a_client_id_and_nothing_else_authenticates_by_certificate()
    {
        var certificate = Support.TestCertificateFactory.SelfSigned("CN=client-a");

        var credentials = ClientCredentials.Read(null, Form(("client_id", "client-a")), certificate).Value!;

        Assert.True(credentials.ByCertificate);
        Assert.Null(credentials.Method);
        Assert.Equal("certificate", credentials.MethodForLog);
        Assert.Same(certificate, credentials.Certificate);
    }

    [Fact]
    public void A_certificate_beside_a_secret_stays_for_binding_and_the_secret_authenticates()
    {
        var certificate = Support.TestCertificateFactory.SelfSigned("CN=client-a");

        var credentials = ClientCredentials.Read(Basic("client-a:s3cret"), RequestParameters.Empty, certificate).Value!;

        Assert.False(credentials.ByCertificate);
        Assert.Equal(ClientAuthenticationMethods.ClientSecretBasic, credentials.Method);
        Assert.Same(certificate, credentials.Certificate);
    }

    [Fact]
    public void A_certificate_without_a_client_id_authenticates_nobody()
    {
        var credentials = ClientCredentials.Read(null, RequestParameters.Empty, Support.TestCertificateFactory.SelfSigned("CN=x")).Value!;

        Assert.False(credentials.ByCertificate);
    }
}
