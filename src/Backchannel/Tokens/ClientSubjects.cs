using System.Collections.Concurrent;
using Backchannel.Abstractions;
using Backchannel.Domain;
using Backchannel.Keys;
using Backchannel.Protocol;

namespace Backchannel.Tokens;

/// <summary>
/// The subject identifier a client sees for a user: the user's own sub for a public client, a pairwise one for a pairwise
/// client (OpenID Connect Core 8.1), derived from the client's sector with the provider's derivation key. Every pairwise
/// value given out is recorded in the store (once: a conditional insert), so that any node can trace it back to the
/// user when the client names it again. Public clients cost nothing here.
/// </summary>
public sealed class ClientSubjects(KeyManager keys, IPairwiseSubjectStore store)
{
    /// <summary>The most pairwise values this node remembers having recorded; beyond it, they are recorded again (harmlessly).</summary>
    private const int MaxRemembered = 100_000;

    private readonly ConcurrentDictionary<(string Sector, string Value), bool> _recorded = new();

    /// <summary>The sub <paramref name="client"/> sees for the user whose own sub is <paramref name="subject"/>.</summary>
    public ValueTask<string> ForClientAsync(Client client, string subject, CancellationToken cancellationToken) =>
        client.PairwiseSector is { } sector ? PairwiseAsync(sector, subject, cancellationToken) : ValueTask.FromResult(subject);

    /// <summary>
    /// The user's own sub behind a sub <paramref name="client"/> sees (a login_hint, an ID token's or access token's sub);
    /// null when a pairwise client names a value its sector was never given.
    /// </summary>
    public ValueTask<string?> LocalSubjectAsync(Client client, string clientSubject, CancellationToken cancellationToken) =>
        client.PairwiseSector is { } sector
            ? store.FindSubjectAsync(sector, clientSubject, cancellationToken)
            : ValueTask.FromResult<string?>(clientSubject);

    private async ValueTask<string> PairwiseAsync(string sector, string subject, CancellationToken cancellationToken)
    {
        var key = await keys.PairwiseSubjectKeyAsync(cancellationToken);
        var value = PairwiseSubjectIdentifier.Derive(key, sector, subject);
        if (!_recorded.ContainsKey((sector, value)))
        {
            await store.RecordAsync(new PairwiseSubject(sector, value, subject), cancellationToken);
            if (_recorded.Count >= MaxRemembered)
            {
                _recorded.Clear();
            }

            _recorded[(sector, value)] = true;
        }

        return value;
    }
}
