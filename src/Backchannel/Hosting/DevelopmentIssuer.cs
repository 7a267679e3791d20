namespace Backchannel.Hosting;

/// <summary>
/// In Development an empty <c>Backchannel:Issuer</c> is taken from the address the server listens on (<c>--urls</c> or
/// ASPNETCORE_URLS; Kestrel's default <c>http://localhost:5000</c> otherwise), so that a newcomer's server names itself
/// right whatever port it runs on.
/// </summary>
public static class DevelopmentIssuer
{
    public const string KestrelDefault = "http://localhost:5000";

    public static string FromListeningAddresses(string? urls)
    {
        var first = urls?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        if (string.IsNullOrEmpty(first))
        {
            return KestrelDefault;
        }

        // Wildcard hosts (http://*:5055, http://+:5055, http://0.0.0.0:5055, http://[::]:5055) are reached as localhost.
        var wildcard = first.Replace("://*", "://localhost", StringComparison.Ordinal)
            .Replace("://+", "://localhost", StringComparison.Ordinal)
            .Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal)
            .Replace("://[::]", "://localhost", StringComparison.Ordinal);
        return Uri.TryCreate(wildcard, UriKind.Absolute, out var uri) && uri.Port != 0
            ? uri.GetLeftPart(UriPartial.Authority)
            : KestrelDefault;
    }
}
