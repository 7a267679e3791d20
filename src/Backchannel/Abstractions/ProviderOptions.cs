using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Backchannel.Abstractions;

/// <summary>The provider's identity: the root of the <c>Backchannel</c> section.</summary>
public sealed class ProviderOptions
{
    /// <summary>
    /// The issuer identifier and base URL of every endpoint: an absolute https URL (http is accepted for loopback
    /// addresses and in Development). In Development it may be left empty: the address the server listens on is used.
    /// </summary>
    public string? Issuer { get; set; }

    /// <summary>How far the clocks of clients and the provider may disagree when a JWT's exp, nbf and iat are checked.</summary>
    public int ClockSkewSeconds { get; set; } = 30;

    public TimeSpan ClockSkew => TimeSpan.FromSeconds(ClockSkewSeconds);
}

/// <summary>Checks the issuer and the clock skew at start.</summary>
public sealed class ProviderOptionsValidator(IHostEnvironment environment) : IValidateOptions<ProviderOptions>
{
    public ValidateOptionsResult Validate(string? name, ProviderOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Issuer) || !Uri.TryCreate(options.Issuer, UriKind.Absolute, out var uri))
        {
            errors.Add("Backchannel:Issuer must be set to the provider's absolute URL, e.g. https://login.example.com.");
        }
        else
        {
            if (uri.Scheme != Uri.UriSchemeHttps && !(uri.Scheme == Uri.UriSchemeHttp && (uri.IsLoopback || environment.IsDevelopment())))
            {
                errors.Add("Backchannel:Issuer must be an https URL (http is accepted for loopback addresses and in Development).");
            }

            if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
            {
                errors.Add("Backchannel:Issuer must not have a query or a fragment.");
            }
        }

        if (options.ClockSkewSeconds is < 0 or > 300)
        {
            errors.Add("Backchannel:ClockSkewSeconds must be between 0 and 300.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
