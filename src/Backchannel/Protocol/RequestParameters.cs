using Microsoft.Extensions.Primitives;

namespace Backchannel.Protocol;

/// <summary>The parameters of a form-encoded request, with the RFC 6749 rule that none may be repeated.</summary>
public sealed class RequestParameters
{
    private readonly IReadOnlyDictionary<string, StringValues> _values;

    public RequestParameters(IReadOnlyDictionary<string, StringValues> values) => _values = values;

    public static RequestParameters Empty { get; } = new(new Dictionary<string, StringValues>());

    /// <summary>The first parameter sent more than once, if any (RFC 6749 section 3.1: parameters MUST NOT repeat).</summary>
    public string? FindRepeated()
    {
        foreach (var (name, value) in _values)
        {
            if (value.Count > 1)
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>The value of <paramref name="name"/>; an empty value counts as absent.</summary>
    public string? this[string name] =>
        _values.TryGetValue(name, out var value) && value.Count > 0 && !string.IsNullOrEmpty(value[0]) ? value[0] : null;

    public bool Contains(string name) => this[name] is not null;
}
