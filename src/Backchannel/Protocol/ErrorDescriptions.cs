using System.Text;

namespace Backchannel.Protocol;

/// <summary>RFC 6749 5.2: error_description may only hold %x20-21 / %x23-5B / %x5D-7E.</summary>
public static class ErrorDescriptions
{
    public static string Sanitize(string description)
    {
        foreach (var c in description)
        {
            if (!IsAllowed(c))
            {
                return Replace(description);
            }
        }

        return description;
    }

    private static string Replace(string description)
    {
        var builder = new StringBuilder(description.Length);
        foreach (var c in description)
        {
            builder.Append(c == '"' ? '\'' : IsAllowed(c) ? c : '?');
        }

        return builder.ToString();
    }

    private static bool IsAllowed(char c) => c is >= ' ' and <= '~' and not '"' and not '\\';
}
