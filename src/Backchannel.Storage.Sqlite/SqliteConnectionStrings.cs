using Microsoft.Data.Sqlite;

namespace Backchannel.Storage.Sqlite;

internal static class SqliteConnectionStrings
{
    public const string DefaultFile = "backchannel.db";

    /// <summary>The connection string with its data source made absolute under the content root.</summary>
    public static string Resolve(string? connectionString, string contentRoot)
    {
        var builder = new SqliteConnectionStringBuilder(string.IsNullOrWhiteSpace(connectionString) ? $"Data Source={DefaultFile}" : connectionString);
        if (string.IsNullOrEmpty(builder.DataSource))
        {
            builder.DataSource = DefaultFile;
        }

        if (builder.DataSource != ":memory:" && !Path.IsPathRooted(builder.DataSource))
        {
            builder.DataSource = Path.Combine(contentRoot, builder.DataSource);
        }

        return builder.ToString();
    }
}
