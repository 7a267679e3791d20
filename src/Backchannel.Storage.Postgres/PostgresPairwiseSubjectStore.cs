using Backchannel.Abstractions;
using Backchannel.Domain;
using static Backchannel.Storage.Postgres.PostgresParameter;

namespace Backchannel.Storage.Postgres;

/// <summary>
/// Pairwise subject identifiers given out, and the users they stand for, seen by every node: one INSERT that keeps the
/// first row of a sector and value (the primary key decides a race); a row never changes.
/// </summary>
internal sealed class PostgresPairwiseSubjectStore(PostgresDatabase database) : IPairwiseSubjectStore
{
    public Task RecordAsync(PairwiseSubject subject, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            "INSERT INTO pairwise_subjects (sector, pairwise_sub, subject) VALUES ($1, $2, $3) ON CONFLICT (sector, pairwise_sub) DO NOTHING",
            [Text(subject.Sector), Text(subject.Value), Text(subject.Subject)], cancellationToken);

    public async ValueTask<string?> FindSubjectAsync(string sector, string value, CancellationToken cancellationToken) =>
        await database.ScalarAsync<string>("SELECT subject FROM pairwise_subjects WHERE sector = $1 AND pairwise_sub = $2",
            [Text(sector), Text(value)], cancellationToken);
}
