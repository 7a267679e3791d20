using System.Text;
using System.Text.RegularExpressions;
using Backchannel.Protocol;

namespace Backchannel.Tests.Hardening;

/// <summary>
/// Issue 16, item 13, at the validator: binding_message is judged by Unicode category on its NFC form, not by a list.
/// (The code points the review found are refused over HTTP in the integration tests; these are the rules' edges.)
/// </summary>
public sealed class BindingMessageUnicodeTests
{
    private static readonly AuthenticationRequestPolicy Poll = new() { DeliveryMode = DeliveryModes.Poll };

    private static ProtocolResult<ValidatedAuthenticationParameters> Validate(string bindingMessage, AuthenticationRequestPolicy? policy = null) =>
        BackchannelAuthenticationRequestValidator.Validate(
            new BackchannelAuthenticationParameters { Scope = "openid", LoginHint = "alice", BindingMessage = bindingMessage }, policy ?? Poll);

    private static void Refused(string bindingMessage)
    {
        var result = Validate(bindingMessage);
        Assert.False(result.Succeeded, "the binding message should have been refused");
        Assert.Equal(ErrorCodes.InvalidBindingMessage, result.Error.Error);
    }

    private static string Accepted(string bindingMessage)
    {
        var result = Validate(bindingMessage);
        Assert.True(result.Succeeded, result.Error?.ToString());
        return result.Value.BindingMessage!;
    }

    [Theory]
    [InlineData(0x0378)] // unassigned (Cn)
    [InlineData(0xE0001)] // LANGUAGE TAG (Cf)
    [InlineData(0xE007F)] // CANCEL TAG (Cf)
    [InlineData(0x10FFFD)] // the last private-use character (Co)
    [InlineData(0x115F)] // HANGUL CHOSEONG FILLER (renders as nothing)
    [InlineData(0x180B)] // MONGOLIAN FREE VARIATION SELECTOR ONE
    [InlineData(0x2800)] // BRAILLE PATTERN BLANK
    public void Characters_that_do_not_show_what_they_are_are_refused_wherever_they_come_from(int codePoint)
    {
        Refused($"Pay 10 EUR{char.ConvertFromUtf32(codePoint)}");
    }

    [Fact]
    public void A_lone_surrogate_is_refused()
    {
        Refused("Pay \uD83D 10 EUR");
        Refused("Pay 10 EUR \uDC00");
    }

    [Fact]
    public void Combining_marks_are_counted_per_character()
    {
        var four = new string('\u0336', 4);

        Assert.Equal($"x{four}y{four}z{four}", Accepted($"x{four}y{four}z{four}"));
        Refused($"x{four}\u0336y");
        Refused($"x{four}\u20DD"); // an enclosing mark (Me) counts too
    }

    [Fact]
    public void The_message_is_checked_and_kept_in_nfc()
    {
        // Five combining acute accents after 'e': NFC composes the first one with the 'e' ('é'), four marks remain.
        Assert.Equal("\u00E9\u0301\u0301\u0301\u0301", Accepted("e\u0301\u0301\u0301\u0301\u0301"));

        var kept = Accepted("Zoe\u0308 A\u030A");
        Assert.Equal("Zo\u00EB \u00C5", kept);
        Assert.True(kept.IsNormalized(NormalizationForm.FormC));
    }

    [Fact]
    public void The_configured_pattern_is_matched_against_the_nfc_form()
    {
        var policy = Poll with { BindingMessagePattern = new Regex("^[\\p{L}\\p{N} ]+$") };

        var result = Validate("Cafe\u0301 42", policy);

        Assert.True(result.Succeeded, result.Error?.ToString());
        Assert.Equal("Caf\u00E9 42", result.Value.BindingMessage);
    }

    [Theory]
    [InlineData("\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645")] // Persian with a zero-width non-joiner
    [InlineData("\u0915\u094D\u200D\u0937")] // Devanagari with a zero-width joiner
    [InlineData("\U0001F3F3\uFE0F\u200D\U0001F308")] // rainbow flag: a variation selector and a ZWJ
    public void Joiners_and_emoji_variation_selectors_that_scripts_and_emoji_need_are_accepted(string message)
    {
        Assert.Equal(message.Normalize(NormalizationForm.FormC), Accepted(message));
    }
}
