using Microsoft.Extensions.Options;

namespace Backchannel.Abstractions;

/// <summary>The store: <c>Backchannel:Storage</c>.</summary>
public sealed class StorageOptions
{
    /// <summary><c>Sqlite</c> (the embedded default) or <c>Postgres</c>.</summary>
    public string Provider { get; set; } = StorageProviders.Sqlite;

    /// <summary>
    /// For SQLite: an ADO.NET connection string (<c>Data Source=backchannel.db</c>); a relative file is placed under
    /// the content root. Empty means <c>backchannel.db</c> under the content root.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>How long a request is kept after its expiry, redeemed or not, so that its client still gets <c>expired_token</c> or <c>invalid_grant</c>.</summary>
    public int ExpiredRequestRetentionSeconds { get; set; } = 600;

    /// <summary>How often expired data is removed.</summary>
    public int CleanupIntervalSeconds { get; set; } = 60;
}

public static class StorageProviders
{
    public const string Sqlite = "Sqlite";
    public const string Postgres = "Postgres";
}

public sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var errors = new List<string>();
        if (options.Provider is not (StorageProviders.Sqlite or StorageProviders.Postgres))
        {
            errors.Add($"Backchannel:Storage:Provider must be Sqlite or Postgres, not '{options.Provider}'.");
        }

        if (options.ExpiredRequestRetentionSeconds <= 0)
        {
            errors.Add("Backchannel:Storage:ExpiredRequestRetentionSeconds must be a positive number.");
        }

        if (options.CleanupIntervalSeconds <= 0)
        {
            errors.Add("Backchannel:Storage:CleanupIntervalSeconds must be a positive number.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
