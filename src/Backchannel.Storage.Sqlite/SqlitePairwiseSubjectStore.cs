using Backchannel.Abstractions;
using Backchannel.Domain;

namespace Backchannel.Storage.Sqlite;

/// <summary>Pairwise subject identifiers given out, and the users they stand for; a row is inserted once and never changes.</summary>
internal sealed class SqlitePairwiseSubjectStore(SqliteDatabase database) : IPairwiseSubjectStore
{
    public Task RecordAsync(PairwiseSubject subject, CancellationToken cancellationToken) =>
        database.WriteAsync(session => session.Execute(
            "INSERT OR IGNORE INTO pairwise_subjects (sector, pairwise_sub, subject) VALUES ($sector, $value, $subject)",
            ("$sector", subject.Sector), ("$value", subject.Value), ("$subject", subject.Subject)));

    public ValueTask<string?> FindSubjectAsync(string sector, string value, CancellationToken cancellationToken) =>
        ValueTask.FromResult(database.Read(session => session.Scalar(
            "SELECT subject FROM pairwise_subjects WHERE sector = $sector AND pairwise_sub = $value",
            ("$sector", sector), ("$value", value)) as string));
}
