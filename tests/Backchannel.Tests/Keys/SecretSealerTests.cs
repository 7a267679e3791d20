using System.Text;
using Backchannel.Keys;
using Backchannel.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Backchannel.Tests.Keys;

public sealed class SecretSealerTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly string Context = SealingContexts.AuthReqId("request-1");

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private TestServices _services = null!;

    private SecretSealer Sealer => _services.Get<SecretSealer>();

    public async Task InitializeAsync() => _services = await TestServices.StartAsync(new Dictionary<string, string?>
    {
        ["Tokens:KeyRotationDays"] = "10",
        ["Tokens:KeyPrePublicationDays"] = "2",
        ["Tokens:KeyRetentionDays"] = "30",
    }, _time);

    public async Task DisposeAsync() => await _services.DisposeAsync();

    [Theory]
    [InlineData("")]
    [InlineData("auth-req-id-0123456789")]
    [InlineData("ünïcødé ✓ and a longer text that spans more than one AES block, to be sure")]
    public async Task A_sealed_value_opens_to_what_was_sealed(string secret)
    {
        var sealedValue = Sealer.Seal(secret, Context);

        Assert.Equal(secret, await Sealer.UnsealStringAsync(sealedValue, Context, None));
        Assert.Equal(Encoding.UTF8.GetBytes(secret), await Sealer.UnsealAsync(sealedValue, Context, None));
        if (secret.Length > 0)
        {
            Assert.False(sealedValue.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) >= 0, "the plaintext shows in the sealed value");
        }
    }

    [Fact]
    public async Task Sealing_twice_gives_different_values_that_both_open()
    {
        var first = Sealer.Seal("same secret", Context);
        var second = Sealer.Seal("same secret", Context);

        Assert.NotEqual(first, second);
        Assert.Equal("same secret", await Sealer.UnsealStringAsync(first, Context, None));
        Assert.Equal("same secret", await Sealer.UnsealStringAsync(second, Context, None));
    }

    [Fact]
    public async Task A_value_sealed_for_another_context_does_not_open()
    {
        var sealedValue = Sealer.Seal("secret", SealingContexts.AuthReqId("request-1"));

        Assert.Null(await Sealer.UnsealAsync(sealedValue, SealingContexts.AuthReqId("request-2"), None));
        Assert.Null(await Sealer.UnsealAsync(sealedValue, SealingContexts.PushedTokens("request-1"), None));
        Assert.Null(await Sealer.UnsealAsync(sealedValue, "", None));
    }

    [Fact]
    public async Task A_tampered_value_does_not_open()
    {
        var sealedValue = Sealer.Seal("a secret worth tampering with", Context);
        var keyIdLength = sealedValue[1];

        // Every byte after the header: the key id, the nonce, the tag and the ciphertext.
        for (var i = 2; i < sealedValue.Length; i++)
        {
            var tampered = (byte[])sealedValue.Clone();
            tampered[i] ^= 0x01;
            Assert.Null(await Sealer.UnsealAsync(tampered, Context, None));
        }

        Assert.Null(await Sealer.UnsealAsync(sealedValue[..^1], Context, None));
        Assert.Null(await Sealer.UnsealAsync([.. sealedValue, 0], Context, None));
        Assert.Null(await Sealer.UnsealAsync(sealedValue[..(2 + keyIdLength + 12 + 15)], Context, None));
        var otherVersion = (byte[])sealedValue.Clone();
        otherVersion[0] = 2;
        Assert.Null(await Sealer.UnsealAsync(otherVersion, Context, None));
        Assert.Null(await Sealer.UnsealAsync([], Context, None));
        Assert.Null(await Sealer.UnsealAsync([1], Context, None));
        Assert.Equal("a secret worth tampering with", await Sealer.UnsealStringAsync(sealedValue, Context, None));
    }

    [Fact]
    public async Task A_value_sealed_by_another_node_with_a_key_this_node_has_not_loaded_opens_after_the_reload()
    {
        var thisNode = _services.Get<KeyManager>();
        var otherNode = KeyManagerTests.NewNode(_services);
        var known = thisNode.Current.SealingKey.KeyId;

        // The other node lives on through two rotations: it seals with a key created after this node last read the store.
        _time.Advance(TimeSpan.FromDays(10) + TimeSpan.FromHours(1));
        await otherNode.RefreshAsync(None);
        _time.Advance(TimeSpan.FromDays(10));
        await otherNode.RefreshAsync(None);
        var newKey = otherNode.Current.SealingKey.KeyId;
        Assert.NotEqual(known, newKey);
        Assert.Null(thisNode.Current.FindSealingKey(newKey));

        var sealedValue = new SecretSealer(otherNode).Seal("sealed elsewhere", Context);

        Assert.Equal("sealed elsewhere", await Sealer.UnsealStringAsync(sealedValue, Context, None));
        Assert.NotNull(thisNode.Current.FindSealingKey(newKey));
        // And this node's own sealed values open on the other node.
        var mine = Sealer.Seal("sealed here", Context);
        Assert.Equal("sealed here", await new SecretSealer(otherNode).UnsealStringAsync(mine, Context, None));
    }

    [Fact]
    public async Task A_value_sealed_with_a_key_no_node_has_does_not_open()
    {
        var sealedValue = Sealer.Seal("secret", Context);
        var keyIdLength = sealedValue[1];
        var forged = (byte[])sealedValue.Clone();
        for (var i = 2; i < 2 + keyIdLength; i++)
        {
            forged[i] = (byte)'x';
        }

        _time.Advance(KeyManager.MinReloadInterval);

        Assert.Null(await Sealer.UnsealAsync(forged, Context, None));
    }
}
