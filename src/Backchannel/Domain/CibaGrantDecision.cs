using Backchannel.Protocol;

namespace Backchannel.Domain;

/// <summary>What the token endpoint does with a CIBA grant request, given the request's state.</summary>
public enum CibaGrantOutcome
{
    /// <summary>Not approved yet: record the poll, answer authorization_pending or slow_down.</summary>
    Poll,

    /// <summary>Approved and unexpired: issue the tokens, once.</summary>
    Issue,

    Error,
}

public readonly record struct CibaGrantDecision(CibaGrantOutcome Outcome, ProtocolError? Error = null)
{
    public static CibaGrantDecision Poll { get; } = new(CibaGrantOutcome.Poll);

    public static CibaGrantDecision Issue { get; } = new(CibaGrantOutcome.Issue);

    public static implicit operator CibaGrantDecision(ProtocolError error) => new(CibaGrantOutcome.Error, error);
}
