namespace Backchannel.Storage.Postgres;

/// <summary>Pieces of statement text shared by the stores.</summary>
internal static class PostgresSql
{
    /// <summary><c>$first, $first+1, ...</c>: <paramref name="count"/> positional parameters.</summary>
    public static string Parameters(int first, int count) =>
        string.Join(", ", Enumerable.Range(first, count).Select(index => "$" + index.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>
    /// <paramref name="change"/> (an INSERT, UPDATE or DELETE without RETURNING) as a statement that answers one row, the
    /// number of rows it changed: what a statement run in a commit group must be (<see cref="PostgresCommitGroups"/>).
    /// </summary>
    public static string Counted(string change) => "WITH changed AS (" + change + " RETURNING 1) SELECT count(*) FROM changed";
}
