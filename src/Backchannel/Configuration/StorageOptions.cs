namespace Backchannel.Configuration;

public sealed class StorageOptions
{
    /// <summary><c>Sqlite</c> (the embedded default) or <c>Postgres</c>.</summary>
    public string Provider { get; set; } = StorageProviders.Sqlite;

    /// <summary>
    /// For SQLite: an ADO.NET connection string (<c>Data Source=backchannel.db</c>); a relative file is placed under
    /// the content root. Empty means <c>backchannel.db</c> under the content root.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>How long an expired or redeemed request is kept so that its client still gets <c>expired_token</c> or <c>invalid_grant</c>.</summary>
    public int ExpiredRequestRetentionSeconds { get; set; } = 600;

    /// <summary>How often expired data is removed.</summary>
    public int CleanupIntervalSeconds { get; set; } = 60;
}

public static class StorageProviders
{
    public const string Sqlite = "Sqlite";
    public const string Postgres = "Postgres";
}
