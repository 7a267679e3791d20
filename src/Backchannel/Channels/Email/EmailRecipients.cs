using Backchannel.Domain;
using MimeKit;

namespace Backchannel.Channels.Email;

/// <summary>The addresses a user is mailed at: each attribute of <c>Channels:Email:AddressAttributes</c> that holds an e-mail address.</summary>
public static class EmailRecipients
{
    /// <summary>The user's addresses, in the order of <paramref name="attributes"/>, each once (compared without case).</summary>
    public static IReadOnlyList<MailboxAddress> Of(User user, IReadOnlyList<string> attributes)
    {
        var addresses = new List<MailboxAddress>();
        foreach (var attribute in attributes)
        {
            var value = string.Equals(attribute, EmailAttributes.Email, StringComparison.OrdinalIgnoreCase)
                ? user.Email
                : user.Claims.GetValueOrDefault(attribute);
            if (MailAddresses.TryParse(value, out var address)
                && !addresses.Any(a => string.Equals(a.Address, address.Address, StringComparison.OrdinalIgnoreCase)))
            {
                addresses.Add(address);
            }
        }

        return addresses;
    }
}
