using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Backchannel.IntegrationTests.Hardening.Support;
using Backchannel.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Backchannel.IntegrationTests.Hardening;

/// <summary>
/// Issue 16, item 4: a private_key_jwt client's jwks_uri is fetched with a byte cap counted as the document arrives
/// (256 KiB, whatever the headers say), one fetch in flight per URI, a failed fetch remembered for 30 s, and nothing fetched
/// ever written to the log. Before the fix the cap held only with a Content-Length (a host streaming 150 MB cost the
/// provider 4 GB), every request fetched again after a failure, and IdentityModel's exception quoted the document into
/// the log. The jwks_uri host is a raw socket server that counts what it serves; the provider runs on a clock the tests
/// move, with every log entry captured. One provider for the class.
/// </summary>
public sealed class ClientKeyFetchTests(ClientKeyFetchTests.Fixture fixture, Xunit.Abstractions.ITestOutputHelper output)
    : IClassFixture<ClientKeyFetchTests.Fixture>
{
    public sealed class Fixture : IAsyncLifetime
    {
        public const string Endless = "jwks-endless-client";
        public const string Flaky = "jwks-flaky-client";
        public const string Good = "jwks-good-client";

        /// <summary>In every document the host serves: it must never appear in the provider's log.</summary>
        public static readonly string Marker = "FETCHED-JWKS-CONTENT-" + Guid.NewGuid().ToString("N");

        /// <summary>What the endless host sends at most (the old provider read all of it).</summary>
        public const long EndlessLimit = 200L * 1024 * 1024;

        private readonly TaskCompletionSource<long> _endlessSent = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private ScriptedHttpServer? _jwksHost;
        private HostedProvider? _provider;
        private int _flakyFetches;

        internal TestKey Key { get; } = TestKey.EllipticCurve();

        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

        internal ScriptedHttpServer JwksHost => _jwksHost ?? throw new InvalidOperationException("Not started.");

        internal HostedProvider Provider => _provider ?? throw new InvalidOperationException("Not started.");

        /// <summary>How many bytes of the endless document the host had sent when the provider closed the connection.</summary>
        public Task<long> EndlessSent => _endlessSent.Task;

        public async Task InitializeAsync()
        {
            _jwksHost = ScriptedHttpServer.Start(ServeAsync);
            var settings = new Dictionary<string, string?>
            {
                // An attempt may take up to a minute: a provider that read without a cap would still be reading, not timed out.
                ["Backchannel:Notifications:TimeoutSeconds"] = "60",
                ["Backchannel:Notifications:LeaseSeconds"] = "120",
            };
            foreach (var (index, clientId, path) in new[] { (8, Endless, "/endless"), (9, Flaky, "/flaky"), (10, Good, "/good") })
            {
                settings[$"Backchannel:Clients:{index}:client_id"] = clientId;
                settings[$"Backchannel:Clients:{index}:token_endpoint_auth_method"] = "private_key_jwt";
                settings[$"Backchannel:Clients:{index}:jwks_uri"] = _jwksHost.BaseUrl + path;
                settings[$"Backchannel:Clients:{index}:backchannel_token_delivery_mode"] = "poll";
            }

            _provider = await HostedProvider.StartAsync("Production", settings, time: Clock);
        }

        private async Task ServeAsync(ScriptedRequest request, System.Net.Sockets.NetworkStream stream, CancellationToken cancellationToken)
        {
            switch (request.Path)
            {
                case "/endless":
                    var sent = await ScriptedHttpServer.WriteEndlessAsync(stream, "{\"keys\":[", $"{{\"kty\":\"EC\",\"kid\":\"{Marker}\"}},",
                        EndlessLimit, cancellationToken);
                    _endlessSent.TrySetResult(sent);
                    break;
                case "/flaky" when Interlocked.Increment(ref _flakyFetches) == 1:
                    // The first fetch is slow and broken (not JSON): concurrent requests pile up behind it.
                    await Task.Delay(TimeSpan.FromMilliseconds(300), cancellationToken);
                    await ScriptedHttpServer.WriteResponseAsync(stream, 200, "application/json",
                        $"{{\"keys\":[{{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"{Marker}\",", cancellationToken);
                    break;
                default:
                    await ScriptedHttpServer.WriteResponseAsync(stream, 200, "application/json", GoodDocument(), cancellationToken);
                    break;
            }
        }

        private string GoodDocument() => JsonSerializer.Serialize(new
        {
            keys = new[] { new { kty = Key.PublicJwk.Kty, kid = Key.PublicJwk.Kid, use = "sig", crv = Key.PublicJwk.Crv, x = Key.PublicJwk.X, y = Key.PublicJwk.Y } },
        });

        public async Task DisposeAsync()
        {
            if (_provider is not null)
            {
                await _provider.DisposeAsync();
            }

            if (_jwksHost is not null)
            {
                await _jwksHost.DisposeAsync();
            }
        }
    }

    private HostedProvider Provider => fixture.Provider;

    /// <summary>
    /// A CIBA token request with an unknown auth_req_id, authenticated by a fresh client assertion: 401 invalid_client when
    /// the client's keys are not to be had, 400 invalid_grant once it is authenticated.
    /// </summary>
    private Task<(HttpResponseMessage Response, JsonElement Body)> TokenRequestAsync(string clientId) =>
        FormRequests.PostAsync(Provider.Http, "/token",
        [
            new("grant_type", "urn:openid:params:grant-type:ciba"),
            new("auth_req_id", "unknown-" + Guid.NewGuid().ToString("N")),
            new("client_id", clientId),
            new("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            new("client_assertion", TestJwts.ClientAssertion(fixture.Key, clientId, Provider.Issuer)),
        ]);

    private void AssertRefused((HttpResponseMessage Response, JsonElement Body) answer) =>
        Assert.True(answer.Response.StatusCode == HttpStatusCode.Unauthorized && answer.Body.Error() == "invalid_client",
            $"Expected 401 invalid_client, got {(int)answer.Response.StatusCode} {answer.Body} (jwks fetches so far: endless "
            + $"{fixture.JwksHost.RequestsFor("/endless")}, flaky {fixture.JwksHost.RequestsFor("/flaky")}).");

    private static void AssertAuthenticated((HttpResponseMessage Response, JsonElement Body) answer) =>
        Assert.True(answer.Response.StatusCode == HttpStatusCode.BadRequest && answer.Body.Error() == "invalid_grant",
            $"{(int)answer.Response.StatusCode} {answer.Body}");

    private void AssertNothingFetchedWasLogged()
    {
        Assert.NotEmpty(Provider.Logs.Entries);
        Assert.Empty(Provider.Logs.Containing(Fixture.Marker));
    }

    [Fact]
    public async Task A_jwks_uri_streaming_an_endless_document_is_read_only_up_to_the_cap_and_the_client_is_refused()
    {
        var elapsed = Stopwatch.StartNew();
        AssertRefused(await TokenRequestAsync(Fixture.Endless));

        // Refused long before the attempt's 60 s timeout: the provider stopped reading, it did not wait the host out.
        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(30), $"The refusal took {elapsed.Elapsed}.");

        // The provider closed the connection after about 256 KiB (plus what the socket buffers held); the old one read all 200 MB.
        var sent = await fixture.EndlessSent.WaitAsync(TimeSpan.FromSeconds(30));
        output.WriteLine($"Refused after {elapsed.ElapsedMilliseconds} ms; the host sent {sent} bytes.");
        Assert.True(sent < 5L * 1024 * 1024, $"The jwks_uri host sent {sent} bytes before the provider closed the connection.");

        // The failure is remembered: another request does not fetch again.
        AssertRefused(await TokenRequestAsync(Fixture.Endless));
        Assert.Equal(1, fixture.JwksHost.RequestsFor("/endless"));

        AssertNothingFetchedWasLogged();
    }

    [Fact]
    public async Task A_failed_fetch_is_made_once_for_concurrent_and_later_requests_and_again_after_30_seconds()
    {
        // Six at once while the first fetch is under way, then three more: all refused, one fetch.
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => TokenRequestAsync(Fixture.Flaky)));
        foreach (var answer in concurrent)
        {
            AssertRefused(answer);
        }

        for (var i = 0; i < 3; i++)
        {
            AssertRefused(await TokenRequestAsync(Fixture.Flaky));
        }

        Assert.Equal(1, fixture.JwksHost.RequestsFor("/flaky"));

        // Still within the 30 s: no fetch.
        fixture.Clock.Advance(TimeSpan.FromSeconds(20));
        AssertRefused(await TokenRequestAsync(Fixture.Flaky));
        Assert.Equal(1, fixture.JwksHost.RequestsFor("/flaky"));

        // Past them: the next request fetches again, gets the (now good) document and authenticates; later ones use the cache.
        fixture.Clock.Advance(TimeSpan.FromSeconds(11));
        AssertAuthenticated(await TokenRequestAsync(Fixture.Flaky));
        Assert.Equal(2, fixture.JwksHost.RequestsFor("/flaky"));
        AssertAuthenticated(await TokenRequestAsync(Fixture.Flaky));
        Assert.Equal(2, fixture.JwksHost.RequestsFor("/flaky"));

        // The failure was logged, by its reason only.
        Assert.Contains(Provider.Logs.Entries, entry => entry.Contains(Fixture.Flaky, StringComparison.Ordinal) && entry.Contains("failed", StringComparison.Ordinal));
        AssertNothingFetchedWasLogged();
    }

    [Fact]
    public async Task A_client_whose_jwks_uri_serves_a_normal_document_authenticates_at_both_endpoints()
    {
        AssertAuthenticated(await TokenRequestAsync(Fixture.Good));

        var (response, body) = await FormRequests.PostAsync(Provider.Http, "/bc-authorize",
        [
            new("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            new("client_assertion", TestJwts.ClientAssertion(fixture.Key, Fixture.Good, Provider.Issuer + "/bc-authorize")),
            new("scope", "openid"),
            new("login_hint", "alice"),
            new("binding_message", "jwks " + Guid.NewGuid().ToString("N")[..8]),
        ]);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {body}");
        Assert.True(body.TryGetProperty("auth_req_id", out _));

        // Fetched once, then served from the cache.
        Assert.Equal(1, fixture.JwksHost.RequestsFor("/good"));
    }
}
