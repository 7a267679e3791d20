namespace Backchannel.Domain;

/// <summary>
/// Several channels written as one value: names separated by commas (<c>app,http</c>), as a rule, a user or
/// <c>Channels:Default</c> may name them and as a request stores the channels it was sent to. A single name is a list of
/// one, so settings and requests written before lists existed read the same.
/// </summary>
public static class ChannelList
{
    public const char Separator = ',';

    /// <summary>The most channels one request is sent to.</summary>
    public const int MaxPerRequest = 8;

    /// <summary>The names of <paramref name="value"/>, trimmed, without empty entries or repeats (compared ignoring case), in order.</summary>
    public static IReadOnlyList<string> Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return [];
        }

        var names = new List<string>();
        foreach (var part in value.Split(Separator, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!names.Contains(part, StringComparer.OrdinalIgnoreCase))
            {
                names.Add(part);
            }
        }

        return names;
    }

    public static string Join(IEnumerable<string> names) => string.Join(Separator, names);

    /// <summary>Whether the list <paramref name="value"/> names <paramref name="channel"/> (exactly, as requests store names).</summary>
    public static bool Contains(string value, string channel)
    {
        foreach (var range in value.AsSpan().Split(Separator))
        {
            if (value.AsSpan()[range].Trim().SequenceEqual(channel))
            {
                return true;
            }
        }

        return false;
    }
}
