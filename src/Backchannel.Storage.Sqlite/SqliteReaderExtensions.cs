using Microsoft.Data.Sqlite;

namespace Backchannel.Storage.Sqlite;

/// <summary>Reading the store's rows: nullable values, and a query's rows mapped (the reader disposed after).</summary>
internal static class SqliteReaderExtensions
{
    public static string? GetNullableString(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>Every row of <paramref name="reader"/>, mapped; the reader is disposed.</summary>
    public static List<T> ReadAll<T>(this SqliteDataReader reader, Func<SqliteDataReader, T> map)
    {
        using (reader)
        {
            var rows = new List<T>();
            while (reader.Read())
            {
                rows.Add(map(reader));
            }

            return rows;
        }
    }

    /// <summary>The first row of <paramref name="reader"/>, mapped, or null when there is none; the reader is disposed.</summary>
    public static T? ReadFirst<T>(this SqliteDataReader reader, Func<SqliteDataReader, T> map)
        where T : class
    {
        using (reader)
        {
            return reader.Read() ? map(reader) : null;
        }
    }
}
