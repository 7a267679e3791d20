using Microsoft.Extensions.Options;

namespace Backchannel.Events;

/// <summary>The audit trail in the store: <c>Backchannel:Audit</c>.</summary>
public sealed class AuditOptions
{
    public const int MaxRetentionDays = 3650;

    /// <summary>How long a request's events are kept in the store (the audit log in the logs is the host's to keep).</summary>
    public int RetentionDays { get; set; } = 30;
}

public sealed class AuditOptionsValidator : IValidateOptions<AuditOptions>
{
    public ValidateOptionsResult Validate(string? name, AuditOptions options) =>
        options.RetentionDays is < 1 or > AuditOptions.MaxRetentionDays
            ? ValidateOptionsResult.Fail($"Backchannel:Audit:RetentionDays must be between 1 and {AuditOptions.MaxRetentionDays} (days).")
            : ValidateOptionsResult.Success;
}
