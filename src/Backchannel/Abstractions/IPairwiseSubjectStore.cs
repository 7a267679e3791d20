using Backchannel.Domain;

namespace Backchannel.Abstractions;

/// <summary>The pairwise subject identifiers issued so far, by sector, and the users they stand for.</summary>
public interface IPairwiseSubjectStore
{
    /// <summary>
    /// Records a pairwise sub: one conditional insert, which keeps the first record of a sector and value (recording
    /// the same again, from any node, changes nothing).
    /// </summary>
    Task RecordAsync(PairwiseSubject subject, CancellationToken cancellationToken);

    /// <summary>The user's own sub behind <paramref name="value"/> in <paramref name="sector"/>; null when none was recorded.</summary>
    ValueTask<string?> FindSubjectAsync(string sector, string value, CancellationToken cancellationToken);
}
