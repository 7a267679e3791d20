using Backchannel.Channels.Email;
using Backchannel.Domain;

namespace Backchannel.Tests.Channels;

public class EmailRecipientsTests
{
    private static readonly User Alice = new()
    {
        Subject = "alice",
        Email = "alice@example.com",
        Claims = new Dictionary<string, string> { ["work_email"] = "alice@work.example", ["same"] = "ALICE@example.com", ["phone"] = "+1555" },
    };

    [Fact]
    public void Each_attribute_holding_an_address_gives_one_recipient_in_order_without_repeats() =>
        Assert.Equal(["alice@example.com", "alice@work.example"],
            EmailRecipients.Of(Alice, ["email", "work_email", "same", "phone", "missing"]).Select(a => a.Address));

    [Fact]
    public void A_user_without_the_attributes_has_no_recipient() =>
        Assert.Empty(EmailRecipients.Of(Alice with { Email = null }, ["email", "phone"]));
}
