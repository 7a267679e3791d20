using System.Buffers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Backchannel.Protocol;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.Channels.App;

/// <summary>
/// OAuth access tokens for FCM, from the service account's key by the JWT-bearer grant (RFC 7523, as Google documents
/// it for service accounts): an RS256 assertion (<c>iss</c> = client_email, <c>scope</c> = firebase.messaging, <c>aud</c>
/// = the key file's token_uri, <c>iat</c>, <c>exp</c> an hour later) posted to token_uri. A token is kept until five
/// minutes before it expires and shared by every sender: concurrent senders wait for one request instead of each making
/// their own.
/// </summary>
public sealed class FcmAccessTokens(IOptions<AppChannelOptions> options, IHttpClientFactory httpClients, TimeProvider time) : IDisposable
{
    public const string HttpClientName = "Backchannel.Fcm";
    public const string Scope = "https://www.googleapis.com/auth/firebase.messaging";
    public const string GrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer";

    /// <summary>How long an assertion is valid: Google accepts at most an hour.</summary>
    public static readonly TimeSpan AssertionLifetime = TimeSpan.FromHours(1);

    /// <summary>How long before its expiry a token is replaced.</summary>
    public static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);

    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    private readonly Lazy<GoogleServiceAccount> _account = new(() => Load(options.Value.Fcm.ServiceAccountFile!));
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private volatile CachedToken? _current;

    /// <summary>The project messages are sent in: <c>Fcm:ProjectId</c>, else the key file's.</summary>
    public string ProjectId => options.Value.Fcm.ProjectId is { Length: > 0 } project ? project : _account.Value.ProjectId!;

    /// <summary>A valid access token: the one kept, or a new one (one request however many senders ask at once).</summary>
    public async ValueTask<string> GetAsync(CancellationToken cancellationToken)
    {
        if (_current is { } current && time.GetUtcNow() < current.RefreshAt)
        {
            return current.AccessToken;
        }

        await _refresh.WaitAsync(cancellationToken);
        try
        {
            if (_current is { } fresh && time.GetUtcNow() < fresh.RefreshAt)
            {
                return fresh.AccessToken;
            }

            var requested = await RequestAsync(cancellationToken);
            _current = requested;
            return requested.AccessToken;
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>FCM refused <paramref name="accessToken"/> (revoked, or the clocks disagree): the next sender gets a new one.</summary>
    public void Invalidate(string accessToken)
    {
        if (_current is { } current && current.AccessToken == accessToken)
        {
            _current = null;
        }
    }

    /// <summary>The signed assertion of the JWT-bearer grant, made at <paramref name="now"/> (pure: the key and the clock decide).</summary>
    public static string CreateAssertion(GoogleServiceAccount account, DateTimeOffset now)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, JwtJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("iss", account.ClientEmail);
            writer.WriteString("scope", Scope);
            writer.WriteString("aud", account.TokenUri);
            writer.WriteNumber("iat", now.ToUnixTimeSeconds());
            writer.WriteNumber("exp", (now + AssertionLifetime).ToUnixTimeSeconds());
            writer.WriteEndObject();
        }

        return Handler.CreateToken(Encoding.UTF8.GetString(buffer.WrittenSpan),
            new SigningCredentials(new RsaSecurityKey(account.PrivateKey), SecurityAlgorithms.RsaSha256));
    }

    private async Task<CachedToken> RequestAsync(CancellationToken cancellationToken)
    {
        var account = _account.Value;
        var now = time.GetUtcNow();
        using var content = new FormUrlEncodedContent([new("grant_type", GrantType), new("assertion", CreateAssertion(account, now))]);
        using var response = await httpClients.CreateClient(HttpClientName).PostAsync(account.TokenUri, content, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var code = (int)response.StatusCode;
            throw new FcmTokenException($"the token endpoint answered HTTP {code}", transient: code is 408 or 429 or >= 500);
        }

        GoogleTokenResponse? token;
        try
        {
            token = await response.Content.ReadFromJsonAsync(AppJsonContext.Default.GoogleTokenResponse, cancellationToken);
        }
        catch (JsonException)
        {
            token = null;
        }

        if (token is not { AccessToken.Length: > 0, ExpiresIn: > 0 })
        {
            throw new FcmTokenException("the token endpoint's answer has no access_token and expires_in", transient: true);
        }

        var lifetime = TimeSpan.FromSeconds(token.ExpiresIn.Value);
        var keep = lifetime > 2 * RefreshMargin ? lifetime - RefreshMargin : lifetime / 2;
        return new CachedToken(token.AccessToken, now + keep);
    }

    private static GoogleServiceAccount Load(string file) =>
        GoogleServiceAccount.Parse(File.ReadAllText(file)) is { Account: { } account }
            ? account
            : throw new FcmTokenException($"the service account file {file} cannot be used", transient: false);

    public void Dispose()
    {
        _refresh.Dispose();
        if (_account.IsValueCreated)
        {
            _account.Value.PrivateKey.Dispose();
        }
    }

    private sealed record CachedToken(string AccessToken, DateTimeOffset RefreshAt);
}

/// <summary>No FCM access token could be had; <see cref="Transient"/> when trying again later may help.</summary>
public sealed class FcmTokenException(string message, bool transient) : Exception(message)
{
    public bool Transient { get; } = transient;
}
