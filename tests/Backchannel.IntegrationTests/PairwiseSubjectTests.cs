using System.Net;
using System.Text.Json;
using Backchannel.IntegrationTests.Infrastructure;
using Duende.IdentityModel.Client;

namespace Backchannel.IntegrationTests;

/// <summary>
/// Pairwise subject identifiers (OpenID Connect Core 8.1, CIBA Core 4): clients of one sector see one sub for a user,
/// clients of different sectors different ones, and none sees the user's own; ID tokens, access tokens, userinfo,
/// introspection, id_token_hint and login_hint all speak the client's view. One provider for the class (with a
/// notification receiver for the push client), on a clock the tests never move; the restart test runs its own.
/// </summary>
public sealed class PairwiseSubjectTests(PairwiseSubjectTests.Fixture shared) : IClassFixture<PairwiseSubjectTests.Fixture>
{
    public const string SectorA1 = "pairwise-a1";
    public const string SectorA2 = "pairwise-a2";
    public const string SectorB = "pairwise-b";
    public const string Loopback = "pairwise-loopback";
    public const string PushClient = "pairwise-push";
    public const string HintSigner = "pairwise-hints";

    /// <summary>The key <see cref="HintSigner"/> signs its login_hint_tokens with.</summary>
    private static readonly TestKey HintKey = TestKey.EllipticCurve();
    public const string Secret = "pairwise-client-secret";

    /// <summary>
    /// Pairwise clients: two of sector a.example (through their sector_identifier_uri), one of b.example, a push client
    /// (sector: the host of its notification endpoint, 127.0.0.1), a poll client registered for that same sector, a client
    /// of sector a.example that signs login_hint_tokens; and a client allowed to introspect any token.
    /// </summary>
    public static Dictionary<string, string?> PairwiseClients(string notificationEndpoint)
    {
        var clients = new Dictionary<string, string?>
        {
            ["Backchannel:Clients:8:client_id"] = SectorA1,
            ["Backchannel:Clients:8:client_secret"] = Secret,
            ["Backchannel:Clients:8:backchannel_token_delivery_mode"] = "poll",
            ["Backchannel:Clients:8:subject_type"] = "pairwise",
            ["Backchannel:Clients:8:sector_identifier_uri"] = "https://a.example/ciba-clients.json",
            ["Backchannel:Clients:9:client_id"] = SectorA2,
            ["Backchannel:Clients:9:client_secret"] = Secret,
            ["Backchannel:Clients:9:backchannel_token_delivery_mode"] = "poll",
            ["Backchannel:Clients:9:subject_type"] = "pairwise",
            ["Backchannel:Clients:9:sector_identifier_uri"] = "https://A.example/other-list.json",
            ["Backchannel:Clients:10:client_id"] = SectorB,
            ["Backchannel:Clients:10:client_secret"] = Secret,
            ["Backchannel:Clients:10:backchannel_token_delivery_mode"] = "poll",
            ["Backchannel:Clients:10:subject_type"] = "pairwise",
            ["Backchannel:Clients:10:sector_identifier_uri"] = "https://b.example/ciba-clients.json",
            ["Backchannel:Clients:11:client_id"] = Loopback,
            ["Backchannel:Clients:11:client_secret"] = Secret,
            ["Backchannel:Clients:11:backchannel_token_delivery_mode"] = "poll",
            ["Backchannel:Clients:11:subject_type"] = "pairwise",
            ["Backchannel:Clients:11:sector_identifier_uri"] = "http://127.0.0.1/ciba-clients.json",
            ["Backchannel:Clients:12:client_id"] = PushClient,
            ["Backchannel:Clients:12:client_secret"] = Secret,
            ["Backchannel:Clients:12:backchannel_token_delivery_mode"] = "push",
            ["Backchannel:Clients:12:backchannel_client_notification_endpoint"] = notificationEndpoint,
            ["Backchannel:Clients:12:subject_type"] = "pairwise",
            ["Backchannel:Clients:13:client_id"] = RevocationAndIntrospectionTests.Fixture.Introspector,
            ["Backchannel:Clients:13:client_secret"] = RevocationAndIntrospectionTests.Fixture.IntrospectorSecret,
            ["Backchannel:Clients:13:backchannel_token_delivery_mode"] = "poll",
            ["Backchannel:Clients:13:introspect_any_token"] = "true",
            ["Backchannel:Clients:14:client_id"] = HintSigner,
            ["Backchannel:Clients:14:client_secret"] = Secret,
            ["Backchannel:Clients:14:backchannel_token_delivery_mode"] = "poll",
            ["Backchannel:Clients:14:subject_type"] = "pairwise",
            ["Backchannel:Clients:14:sector_identifier_uri"] = "https://a.example/hints.json",
        };
        foreach (var (key, value) in HintKey.AsConfiguration("Backchannel:Clients:14"))
        {
            clients[key] = value;
        }

        return clients;
    }

    public sealed class Fixture : SharedNotifyingProvider
    {
        protected override Dictionary<string, string?> Settings()
        {
            var settings = base.Settings();
            foreach (var (key, value) in PairwiseClients(Receiver.Endpoint))
            {
                settings[key] = value;
            }

            return settings;
        }
    }

    private TestProvider Provider => shared.Provider;

    private Task<Duende.IdentityModel.Client.TokenResponse> FlowAsync(string clientId, string loginHint = "alice") =>
        Provider.CompleteFlowAsync(loginHint, clientId, Secret);

    private async Task<string> SubjectOfAsync(Duende.IdentityModel.Client.TokenResponse tokens, string clientId) =>
        (await TokenAssertions.ValidateIdTokenAsync(Provider, tokens.IdentityToken!, clientId)).Subject;

    /// <summary>A backchannel authentication request of <paramref name="clientId"/>; the sub the device was told, when accepted.</summary>
    private async Task<(HttpStatusCode Status, JsonElement Body, string? DeviceSubject)> AuthorizeAsync(string clientId,
        params (string Name, string Value)[] hint)
    {
        var bindingMessage = "pairwise " + Guid.NewGuid().ToString("N")[..8];
        var (response, body) = await FormRequests.PostAsync(Provider.Http, "/bc-authorize",
            [new("scope", "openid"), new("binding_message", bindingMessage), .. hint.Select(p => KeyValuePair.Create(p.Name, p.Value))],
            (clientId, clientId.StartsWith("pairwise", StringComparison.Ordinal) ? Secret : TestClients.PollSecret));
        var deviceSubject = response.StatusCode == HttpStatusCode.OK
            ? (await Provider.Device.ForAsync(bindingMessage)).Body.GetProperty("subject").GetString()
            : null;
        return (response.StatusCode, body, deviceSubject);
    }

    [Fact]
    public async Task Discovery_lists_public_and_pairwise()
    {
        var document = JsonDocument.Parse(await Provider.Http.GetStringAsync("/.well-known/openid-configuration")).RootElement;

        Assert.Equal(["public", "pairwise"], document.GetProperty("subject_types_supported").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Clients_of_one_sector_see_one_sub_and_clients_of_other_sectors_others_none_the_users_own()
    {
        var a1 = await SubjectOfAsync(await FlowAsync(SectorA1), SectorA1);
        var a2 = await SubjectOfAsync(await FlowAsync(SectorA2), SectorA2);
        var b = await SubjectOfAsync(await FlowAsync(SectorB), SectorB);
        var publicSub = await SubjectOfAsync(await Provider.CompleteFlowAsync(), TestClients.Poll);

        Assert.Equal("alice-sub", publicSub);
        Assert.Equal(a1, a2);
        Assert.NotEqual(a1, b);
        Assert.DoesNotContain("alice-sub", new[] { a1, b });
        Assert.Matches("^[A-Za-z0-9_-]{43}$", a1);

        // Another user of the same sector gets another value; the same user again the same one.
        Assert.NotEqual(a1, await SubjectOfAsync(await FlowAsync(SectorA1, "bob"), SectorA1));
        Assert.Equal(a1, await SubjectOfAsync(await FlowAsync(SectorA1), SectorA1));
    }

    [Fact]
    public async Task Access_tokens_userinfo_introspection_and_refreshed_tokens_carry_the_clients_view()
    {
        var tokens = await FlowAsync(SectorB);
        var sub = await SubjectOfAsync(tokens, SectorB);

        Assert.Equal(sub, TestJwts.Read(tokens.AccessToken!).Subject);
        var claims = await TokenAssertions.UserInfoAsync(Provider, tokens.AccessToken!);
        Assert.Equal(sub, claims["sub"].GetString());
        Assert.Equal("Alice Example", claims["name"].GetString());

        // Introspected by its own client or by a client allowed to see any token: the sub the token's client sees.
        var callers = new[] { (SectorB, Secret), (RevocationAndIntrospectionTests.Fixture.Introspector, RevocationAndIntrospectionTests.Fixture.IntrospectorSecret) };
        foreach (var (caller, secret) in callers)
        {
            foreach (var token in new[] { tokens.AccessToken!, tokens.RefreshToken! })
            {
                var (response, body) = await FormRequests.PostAsync(Provider.Http, "/introspect", [new("token", token)], (caller, secret));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.True(body.GetProperty("active").GetBoolean(), body.ToString());
                Assert.Equal(sub, body.GetProperty("sub").GetString());
            }
        }

        var refreshed = await Provider.Http.RequestRefreshTokenAsync(new RefreshTokenRequest
        {
            Address = Provider.TokenEndpoint, ClientId = SectorB, ClientSecret = Secret, RefreshToken = tokens.RefreshToken!,
        });
        Assert.False(refreshed.IsError, refreshed.ErrorDescription);
        Assert.Equal(sub, await SubjectOfAsync(refreshed, SectorB));
        Assert.Equal(sub, TestJwts.Read(refreshed.AccessToken!).Subject);
    }

    [Fact]
    public async Task Each_client_names_the_user_with_its_own_id_token_as_id_token_hint()
    {
        foreach (var clientId in new[] { SectorA1, SectorB })
        {
            var tokens = await FlowAsync(clientId, "bob");

            var (status, body, deviceSubject) = await AuthorizeAsync(clientId, ("id_token_hint", tokens.IdentityToken!));

            Assert.True(status == HttpStatusCode.OK, body.ToString());
            // The device service is the operator's own: it is told the user's own sub.
            Assert.Equal("bob-sub", deviceSubject);
        }
    }

    [Fact]
    public async Task Login_hint_with_a_pairwise_sub_finds_the_user_for_the_clients_of_its_sector_only()
    {
        var sub = await SubjectOfAsync(await FlowAsync(SectorA1, "bob"), SectorA1);

        foreach (var clientId in new[] { SectorA1, SectorA2 })
        {
            var (status, body, deviceSubject) = await AuthorizeAsync(clientId, ("login_hint", sub));
            Assert.True(status == HttpStatusCode.OK, body.ToString());
            Assert.Equal("bob-sub", deviceSubject);
        }

        foreach (var clientId in new[] { SectorB, TestClients.Poll })
        {
            var (status, body, _) = await AuthorizeAsync(clientId, ("login_hint", sub));
            Assert.Equal((HttpStatusCode.BadRequest, "unknown_user_id"), (status, body.Error()));
        }
    }

    [Fact]
    public async Task A_pairwise_client_cannot_name_a_user_by_the_users_own_sub_but_by_username_e_mail_or_phone()
    {
        var (status, body, _) = await AuthorizeAsync(SectorA1, ("login_hint", "alice-sub"));
        Assert.Equal((HttpStatusCode.BadRequest, "unknown_user_id"), (status, body.Error()));

        foreach (var hint in new[] { "alice", "alice@example.com", "+15555550100" })
        {
            string? deviceSubject;
            (status, body, deviceSubject) = await AuthorizeAsync(SectorA1, ("login_hint", hint));
            Assert.True(status == HttpStatusCode.OK, body.ToString());
            Assert.Equal("alice-sub", deviceSubject);
        }
    }

    [Fact]
    public async Task A_login_hint_tokens_opaque_or_iss_sub_subject_is_the_clients_view_too()
    {
        // The hint signer is of sector a.example: the value a1 was given names the user for it.
        var sub = await SubjectOfAsync(await FlowAsync(SectorA1, "bob"), SectorA1);
        string HintToken(Dictionary<string, object> subId) => TestJwts.Sign(HintKey, new Dictionary<string, object> { ["sub_id"] = subId });

        foreach (var subId in new[]
                 {
                     new Dictionary<string, object> { ["format"] = "opaque", ["id"] = sub },
                     new Dictionary<string, object> { ["format"] = "iss_sub", ["iss"] = Provider.Issuer, ["sub"] = sub },
                 })
        {
            var (status, body, deviceSubject) = await AuthorizeAsync(HintSigner, ("login_hint_token", HintToken(subId)));
            Assert.True(status == HttpStatusCode.OK, body.ToString());
            Assert.Equal("bob-sub", deviceSubject);
        }

        var (ownStatus, ownBody, _) = await AuthorizeAsync(HintSigner,
            ("login_hint_token", HintToken(new Dictionary<string, object> { ["format"] = "opaque", ["id"] = "bob-sub" })));
        Assert.Equal((HttpStatusCode.BadRequest, "unknown_user_id"), (ownStatus, ownBody.Error()));
    }

    [Fact]
    public async Task A_push_clients_sector_is_the_host_of_its_notification_endpoint()
    {
        var authorization = await Provider.AuthorizeAsync(clientId: PushClient, clientSecret: Secret,
            configure: r => r.ClientNotificationToken = TestClients.NewNotificationToken());
        Assert.False(authorization.IsError, authorization.Raw);
        await Provider.ApproveLastAsync();
        var push = await shared.Receiver.ForAsync(authorization.AuthenticationRequestId!);
        var pushed = await TokenAssertions.ValidateIdTokenAsync(Provider, push.Body.GetProperty("id_token").GetString()!, PushClient);

        // 127.0.0.1 is also the sector of the poll client registered with a sector_identifier_uri on that host.
        Assert.Equal(await SubjectOfAsync(await FlowAsync(Loopback), Loopback), pushed.Subject);
        Assert.NotEqual("alice-sub", pushed.Subject);
        Assert.Equal(pushed.Subject, TestJwts.Read(push.Body.GetProperty("access_token").GetString()!).Subject);
    }

    [Fact]
    public async Task The_same_values_come_back_after_a_restart_and_still_lead_to_their_user()
    {
        var directory = Path.Combine(Path.GetTempPath(), "backchannel-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var settings = PairwiseClients("http://127.0.0.1:9/cb");
            settings["Backchannel:KeyProtection:KeysDirectory"] = Path.Combine(directory, "key-ring");

            string before;
            await using (var first = await TestProvider.StartAsync(settings, directory))
            {
                var tokens = await first.CompleteFlowAsync("bob", SectorA1, Secret);
                before = (await TokenAssertions.ValidateIdTokenAsync(first, tokens.IdentityToken!, SectorA1)).Subject;
            }

            await using var second = await TestProvider.StartAsync(settings, directory);
            var again = await second.CompleteFlowAsync("bob", SectorA2, Secret);
            Assert.Equal(before, (await TokenAssertions.ValidateIdTokenAsync(second, again.IdentityToken!, SectorA2)).Subject);

            // The value given out before the restart still names the user.
            var byHint = await second.CompleteFlowAsync(before, SectorA1, Secret);
            Assert.Equal(before, (await TokenAssertions.ValidateIdTokenAsync(second, byHint.IdentityToken!, SectorA1)).Subject);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
