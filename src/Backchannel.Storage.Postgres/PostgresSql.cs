namespace Backchannel.Storage.Postgres;

/// <summary>Pieces of statement text shared by the stores.</summary>
internal static class PostgresSql
{
    /// <summary><c>$first, $first+1, ...</c>: <paramref name="count"/> positional parameters.</summary>
    public static string Parameters(int first, int count) =>
        string.Join(", ", Enumerable.Range(first, count).Select(index => "$" + index.ToString(System.Globalization.CultureInfo.InvariantCulture)));
}
