using MimeKit;

namespace Backchannel.Channels;

/// <summary>E-mail addresses as the e-mail channel takes them: a mailbox (with an optional display name) whose address has a local part and a domain.</summary>
public static class MailAddresses
{
    public static bool TryParse(string? text, out MailboxAddress address)
    {
        address = null!;
        if (string.IsNullOrWhiteSpace(text) || !MailboxAddress.TryParse(text.Trim(), out var parsed))
        {
            return false;
        }

        var at = parsed.Address.LastIndexOf('@');
        if (at <= 0 || at == parsed.Address.Length - 1 || parsed.Address.Any(char.IsWhiteSpace))
        {
            return false;
        }

        address = parsed;
        return true;
    }
}
