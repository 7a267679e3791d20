using System.Net;
using System.Text.Json;
using Backchannel.Hosting;
using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests.Hardening;

/// <summary>
/// Issue 16, items 13 (binding_message judged by Unicode category on its NFC form), 14 (an identifier names one user) and
/// 15 (only known scopes; verified claims false unless set). Item 12 (one answer for every failed client authentication)
/// is in ClientAuthenticationInteropTests; Demo:Enabled outside Development in ServerProcessTests. One
/// provider for the class on a clock the tests advance; tests that need other settings start their own.
/// </summary>
public sealed class UserInputHardeningTests(SharedProvider shared) : IClassFixture<SharedProvider>
{
    private TestProvider Provider => shared.Provider;

    /// <summary>The request was refused with this status and error (an unexpected success shows its body).</summary>
    private static void AssertRefused(HttpResponseMessage response, JsonElement body, HttpStatusCode status, string error)
    {
        Assert.True(response.StatusCode == status, $"expected {(int)status} {error}, got {(int)response.StatusCode}: {body}");
        Assert.Equal(error, body.Error());
    }

    private static string NewId() => Guid.NewGuid().ToString("N")[..8];

    private Task<(HttpResponseMessage Response, JsonElement Body)> AuthorizeAsync(string scope = "openid", string bindingMessage = "ok") =>
        FormRequests.AuthorizeAsync(Provider, ("scope", scope), ("login_hint", "alice"), ("binding_message", bindingMessage));

    // Item 13: binding_message.

    [Theory]
    [InlineData(0x2028)] // LINE SEPARATOR (Zl)
    [InlineData(0x2029)] // PARAGRAPH SEPARATOR (Zp)
    [InlineData(0x00AD)] // SOFT HYPHEN (Cf)
    [InlineData(0x2061)] // FUNCTION APPLICATION (Cf)
    [InlineData(0x2062)] // INVISIBLE TIMES (Cf)
    [InlineData(0x2063)] // INVISIBLE SEPARATOR (Cf)
    [InlineData(0x2064)] // INVISIBLE PLUS (Cf)
    [InlineData(0x180E)] // MONGOLIAN VOWEL SEPARATOR (Cf)
    [InlineData(0x3164)] // HANGUL FILLER (Lo, renders as nothing)
    [InlineData(0x17B4)] // KHMER VOWEL INHERENT AQ (renders as nothing)
    [InlineData(0xE0041)] // TAG LATIN CAPITAL LETTER A (Cf)
    [InlineData(0xE000)] // a private-use character (Co)
    [InlineData(0xF0000)] // a supplementary private-use character (Co)
    public async Task A_binding_message_with_an_invisible_or_private_character_is_invalid_binding_message(int codePoint)
    {
        var (response, body) = await AuthorizeAsync(bindingMessage: $"Pay 10 EUR{char.ConvertFromUtf32(codePoint)} to Bob {NewId()}");

        AssertRefused(response, body, HttpStatusCode.BadRequest, "invalid_binding_message");
    }

    [Fact]
    public async Task A_binding_message_with_more_than_four_combining_marks_on_one_character_is_invalid_binding_message()
    {
        // U+0336 COMBINING LONG STROKE OVERLAY does not compose (NFC keeps every one).
        var (refused, body) = await AuthorizeAsync(bindingMessage: $"Pay 1{new string('\u0336', 5)}00 EUR {NewId()}");
        AssertRefused(refused, body, HttpStatusCode.BadRequest, "invalid_binding_message");

        var fourMarks = $"Pay 1{new string('\u0336', 4)}00 EUR {NewId()}";
        var (accepted, acceptedBody) = await AuthorizeAsync(bindingMessage: fourMarks);
        Assert.True(accepted.StatusCode == HttpStatusCode.OK, acceptedBody.ToString());
        Assert.Equal(fourMarks, (await Provider.Device.ForAsync(fourMarks)).BindingMessage);
    }

    [Theory]
    [InlineData("Deploy approved by \U0001F469\u200D\U0001F4BB", "Deploy approved by \U0001F469\u200D\U0001F4BB")] // woman technologist: a ZWJ sequence
    [InlineData("Cafe\u0301 Zoe\u0308: 12,50 \u20AC", "Caf\u00E9 Zo\u00EB: 12,50 \u20AC")] // decomposed accents, shown composed (NFC)
    [InlineData("\u65E5\u672C\u8A9E\u306E\u78BA\u8A8D \u5F15\u304D\u51FA\u3057 4200", "\u65E5\u672C\u8A9E\u306E\u78BA\u8A8D \u5F15\u304D\u51FA\u3057 4200")] // CJK
    public async Task A_binding_message_of_visible_text_is_accepted_and_reaches_the_device_in_nfc(string sent, string shown)
    {
        var id = NewId();
        var (response, body) = await AuthorizeAsync(bindingMessage: $"{sent} {id}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());

        // The device shows the NFC form (the one notification of this request is found by its id whatever its form).
        var notification = await Provider.Device.NextAsync(match: n => n.BindingMessage?.EndsWith(id, StringComparison.Ordinal) == true);
        Assert.Equal(Codepoints($"{shown} {id}"), Codepoints(notification.BindingMessage!));
    }

    private static string Codepoints(string text) => string.Join(' ', text.EnumerateRunes().Select(r => $"U+{r.Value:X4}"));

    // Item 14: login_hint ambiguity.

    [Theory]
    [InlineData("username", "alice@example.com")]
    [InlineData("username", "ALICE@Example.com")]
    [InlineData("email", "alice")]
    [InlineData("phone_number", "alice-sub")]
    public async Task A_provider_whose_users_share_an_identifier_across_attributes_refuses_to_start(string attribute, string value)
    {
        var directory = Path.Combine(Path.GetTempPath(), "backchannel-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var settings = new Dictionary<string, string?>
            {
                ["Backchannel:Users:2:sub"] = "carol-sub",
                ["Backchannel:Users:2:username"] = "carol",
                ["Backchannel:Users:2:email"] = "carol@example.com",
            };
            settings[$"Backchannel:Users:2:{attribute}"] = value;

            var error = await Assert.ThrowsAnyAsync<Exception>(async () => await (await TestProvider.StartAsync(settings, directory)).DisposeAsync());

            var messages = StartupErrors.Describe(error);
            Assert.True(messages.Any(m => m.Contains("Backchannel:Users:2", StringComparison.Ordinal) && m.Contains(value, StringComparison.Ordinal)
                                          && m.Contains("Backchannel:Users:0", StringComparison.Ordinal)),
                "the start-up error does not name the conflict: " + string.Join(" | ", messages.DefaultIfEmpty(error.ToString())));
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    // Item 15: permissive defaults.

    [Theory]
    [InlineData("openid admin")]
    [InlineData("openid payments:write")]
    public async Task A_client_without_a_scope_restriction_cannot_ask_for_a_scope_the_provider_does_not_offer(string scope)
    {
        var (response, body) = await AuthorizeAsync(scope: scope);

        AssertRefused(response, body, HttpStatusCode.BadRequest, "invalid_scope");
    }

    [Fact]
    public async Task A_known_scope_is_granted_and_unverified_contact_claims_are_released_as_unverified()
    {
        var tokens = await Provider.CompleteFlowAsync(configure: r => r.Scope = "openid email phone");

        var accessToken = await TokenAssertions.ValidateAccessTokenAsync(Provider, tokens.AccessToken!);
        Assert.Equal("openid email phone", accessToken.GetClaim("scope").Value);

        // alice is configured without email_verified and phone_number_verified.
        var claims = await TokenAssertions.UserInfoAsync(Provider, tokens.AccessToken!);
        Assert.Equal("alice@example.com", claims["email"].GetString());
        Assert.Equal(JsonValueKind.False, claims["email_verified"].ValueKind);
        Assert.Equal("+15555550100", claims["phone_number"].GetString());
        Assert.Equal(JsonValueKind.False, claims["phone_number_verified"].ValueKind);
    }

    [Fact]
    public async Task The_offered_scopes_are_the_configured_list()
    {
        await using var provider = await TestProvider.StartAsync(new Dictionary<string, string?>
        {
            ["Backchannel:Ciba:Scopes:0"] = "openid",
            ["Backchannel:Ciba:Scopes:1"] = "payments:write",
        }, time: new TestClock());

        var tokens = await provider.CompleteFlowAsync(configure: r => r.Scope = "openid payments:write");
        Assert.Equal("openid payments:write", (await TokenAssertions.ValidateAccessTokenAsync(provider, tokens.AccessToken!)).GetClaim("scope").Value);

        var (response, body) = await FormRequests.AuthorizeAsync(provider, ("scope", "openid profile"), ("login_hint", "alice"));
        AssertRefused(response, body, HttpStatusCode.BadRequest, "invalid_scope");
    }
}
