using Backchannel.Channels.Portal;

namespace Backchannel.Tests.Channels;

public class AuthorizationDetailsViewTests
{
    [Fact]
    public void Entries_become_their_type_and_labelled_fields()
    {
        var details = AuthorizationDetailsView.Read("""
            [{"type":"payment_initiation","actions":["initiate","status"],"instructedAmount":{"currency":"EUR","amount":"123.50"},
              "creditor_account":{"iban":"DE02100100109307118603"},"urgent":true,"fee":null,"items":[{"name":"a"},{"name":"b"}]},
             {"type":"account_information"}]
            """);

        Assert.Equal(["payment_initiation", "account_information"], details.Select(d => d.Type));
        Assert.Equal(
        [
            new AuthorizationDetailField("Actions", "initiate, status"),
            new AuthorizationDetailField("Instructed amount: Currency", "EUR"),
            new AuthorizationDetailField("Instructed amount: Amount", "123.50"),
            new AuthorizationDetailField("Creditor account: Iban", "DE02100100109307118603"),
            new AuthorizationDetailField("Urgent", "yes"),
            new AuthorizationDetailField("Fee", "(none)"),
            new AuthorizationDetailField("Items 1: Name", "a"),
            new AuthorizationDetailField("Items 2: Name", "b"),
        ], details[0].Fields);
        Assert.Empty(details[1].Fields);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"type\":\"x\"}")]
    public void Anything_but_an_array_shows_nothing(string? json) => Assert.Empty(AuthorizationDetailsView.Read(json));

    [Fact]
    public void Fields_and_values_are_bounded()
    {
        var members = string.Join(",", Enumerable.Range(0, 200).Select(i => $"\"m{i}\":\"{new string('x', 2000)}\""));

        var detail = Assert.Single(AuthorizationDetailsView.Read($"[{{\"type\":\"big\",{members}}}]"));

        Assert.Equal(AuthorizationDetailsView.MaxFields, detail.Fields.Count);
        Assert.All(detail.Fields, f => Assert.True(f.Value.Length <= AuthorizationDetailsView.MaxValueLength + 1));
    }
}
