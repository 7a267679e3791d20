using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Backchannel.Hosting;

/// <summary>Demo users and clients for a first run: <c>Backchannel:Demo</c>.</summary>
public sealed class DemoOptions
{
    /// <summary>Add the demo users and clients (Development only). Empty: see <see cref="WhenUnconfigured"/>.</summary>
    public bool? Enabled { get; set; }

    /// <summary>
    /// When <see cref="Enabled"/> is empty: add the demo data in Development if no users and no clients are configured.
    /// The runnable server sets it in its appsettings.Development.json; a host application asks explicitly.
    /// </summary>
    public bool WhenUnconfigured { get; set; }

    /// <summary>Whether the demo users and clients were added (set when options are built).</summary>
    internal bool Applied { get; set; }
}

public sealed class DemoOptionsValidator(IHostEnvironment environment) : IValidateOptions<DemoOptions>
{
    public ValidateOptionsResult Validate(string? name, DemoOptions options) =>
        options.Enabled == true && !environment.IsDevelopment()
            ? ValidateOptionsResult.Fail(
                $"Backchannel:Demo:Enabled is true in the {environment.EnvironmentName} environment: the demo users and clients have published passwords and secrets; remove the setting (demo data runs only in Development).")
            : ValidateOptionsResult.Success;
}
