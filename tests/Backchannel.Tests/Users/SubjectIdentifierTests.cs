using System.Text.Json;
using Backchannel.Protocol;
using Backchannel.Domain;
using Backchannel.Users;

namespace Backchannel.Tests;

public class SubjectIdentifierTests
{
    private const string Issuer = "https://op.example.com";

    private static ProtocolResult<(UserAttribute Attribute, string Value)> Parse(string json, string issuer = Issuer)
    {
        using var document = JsonDocument.Parse(json);
        return SubjectIdentifier.Parse(document.RootElement.Clone(), issuer);
    }

    private static void Names(string json, UserAttribute attribute, string value)
    {
        var result = Parse(json);
        Assert.True(result.Succeeded, result.Error?.ToString());
        Assert.Equal((attribute, value), result.Value);
    }

    private static ProtocolError Fails(string json)
    {
        var result = Parse(json);
        Assert.False(result.Succeeded);
        Assert.Equal(ErrorCodes.InvalidRequest, result.Error.Error);
        return result.Error;
    }

    [Fact]
    public void Email_names_the_email_attribute()
    {
        Names("""{"format":"email","email":"alice@example.com"}""", UserAttribute.Email, "alice@example.com");
    }

    [Fact]
    public void Phone_number_names_the_phone_attribute()
    {
        Names("""{"format":"phone_number","phone_number":"+12065550100"}""", UserAttribute.PhoneNumber, "+12065550100");
    }

    [Fact]
    public void Opaque_names_the_subject()
    {
        Names("""{"format":"opaque","id":"11112222333344445555"}""", UserAttribute.Subject, "11112222333344445555");
    }

    [Fact]
    public void Username_names_the_username_attribute()
    {
        Names("""{"format":"username","username":"alice"}""", UserAttribute.Username, "alice");
    }

    [Theory]
    [InlineData("https://op.example.com")]
    [InlineData("https://op.example.com/")]
    public void Iss_sub_of_this_issuer_names_the_subject(string iss)
    {
        Names($$"""{"format":"iss_sub","iss":"{{iss}}","sub":"248289761001"}""", UserAttribute.Subject, "248289761001");
    }

    [Theory]
    [InlineData("https://other.example.com")]
    [InlineData("https://op.example.com/tenant")]
    [InlineData("http://op.example.com")]
    public void Iss_sub_of_another_issuer_is_invalid_request(string iss)
    {
        var error = Fails($$"""{"format":"iss_sub","iss":"{{iss}}","sub":"248289761001"}""");

        Assert.Contains("another issuer", error.Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("acct:alice@example.com")]
    [InlineData("ACCT:alice@example.com")]
    public void Account_uri_names_the_email_attribute(string uri)
    {
        Names($$"""{"format":"account","uri":"{{uri}}"}""", UserAttribute.Email, "alice@example.com");
    }

    [Fact]
    public void Account_uri_of_another_scheme_is_invalid_request()
    {
        Fails("""{"format":"account","uri":"mailto:alice@example.com"}""");
    }

    [Theory]
    [InlineData("""{"email":"alice@example.com"}""")]
    [InlineData("""{"format":null,"email":"alice@example.com"}""")]
    [InlineData("""{"format":42}""")]
    [InlineData("""{}""")]
    public void Missing_format_is_invalid_request(string json)
    {
        var error = Fails(json);

        Assert.Contains("no format", error.Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"format":"did","url":"did:example:123"}""")]
    [InlineData("""{"format":"aliases","identifiers":[]}""")]
    [InlineData("""{"format":"EMAIL","email":"alice@example.com"}""")]
    public void Unknown_format_is_invalid_request(string json)
    {
        var error = Fails(json);

        Assert.Contains("is not supported", error.Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"format":"email"}""")]
    [InlineData("""{"format":"email","email":""}""")]
    [InlineData("""{"format":"email","email":7}""")]
    [InlineData("""{"format":"phone_number","email":"alice@example.com"}""")]
    [InlineData("""{"format":"opaque","sub":"x"}""")]
    [InlineData("""{"format":"iss_sub","iss":"https://op.example.com"}""")]
    [InlineData("""{"format":"iss_sub","sub":"248289761001"}""")]
    public void Format_without_its_member_is_invalid_request(string json)
    {
        Fails(json);
    }
}
