using Microsoft.Data.Sqlite;

namespace Backchannel.Storage.Sqlite;

internal static class SqliteReaderExtensions
{
    public static string? GetNullableString(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
