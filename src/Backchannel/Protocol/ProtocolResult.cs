using System.Diagnostics.CodeAnalysis;

namespace Backchannel.Protocol;

/// <summary>Either a value or a <see cref="ProtocolError"/>.</summary>
public readonly struct ProtocolResult<T>
{
    private ProtocolResult(T? value, ProtocolError? error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }

    public ProtocolError? Error { get; }

    [MemberNotNullWhen(false, nameof(Error))]
    [MemberNotNullWhen(true, nameof(Value))]
    public bool Succeeded => Error is null;

    public static ProtocolResult<T> Ok(T value) => new(value, null);

    public static implicit operator ProtocolResult<T>(T value) => new(value, null);

    public static implicit operator ProtocolResult<T>(ProtocolError error) => new(default, error);
}
