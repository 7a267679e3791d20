using Backchannel.Domain;
using Backchannel.Keys;
using Backchannel.Protocol;

namespace Backchannel.Tests.Keys;

/// <summary>A rotation brought forward (the admin API): the published next key signs now, never an unpublished one.</summary>
public class KeyRotationNowTests
{
    private static readonly DateTimeOffset Now = new(2030, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly KeyRotationPolicy Policy = new(TimeSpan.FromDays(30), TimeSpan.FromDays(2), TimeSpan.FromDays(7));

    private static KeySchedule Key(string id, DateTimeOffset activatesAt, DateTimeOffset? retainUntil = null,
        string algorithm = SigningAlgorithms.ES256, KeyPurpose purpose = KeyPurpose.Tokens) =>
        new(id, algorithm, purpose, activatesAt, retainUntil);

    [Fact]
    public void The_next_key_signs_now_the_active_one_retires_and_a_new_next_key_is_planned()
    {
        var keys = new[]
        {
            Key("active", Now.AddDays(-10)),
            Key("next", Now.AddDays(20)),
            Key("old", Now.AddDays(-40), retainUntil: Now.AddDays(1)),
            Key("callback", Now.AddDays(-10), purpose: KeyPurpose.DeviceCallbacks),
            Key("callback-next", Now.AddDays(20), purpose: KeyPurpose.DeviceCallbacks),
        };

        var plan = KeyRotationPlanner.RotateNow(keys, [(KeyPurpose.Tokens, SigningAlgorithms.ES256), (KeyPurpose.DeviceCallbacks, SigningAlgorithms.ES256)],
            Now, Policy);

        Assert.Equal([("next", Now), ("callback-next", Now)], plan.Activate);
        Assert.Equal([("active", Now + Policy.Retention), ("callback", Now + Policy.Retention)], plan.Retire);
        Assert.Equal([(KeyPurpose.Tokens, SigningAlgorithms.ES256, Now + Policy.RotationInterval),
            (KeyPurpose.DeviceCallbacks, SigningAlgorithms.ES256, Now + Policy.RotationInterval)], plan.Create);
        Assert.Empty(plan.Delete);
        Assert.False(plan.IsEmpty);
    }

    [Fact]
    public void Without_a_published_next_key_nothing_rotates()
    {
        var plan = KeyRotationPlanner.RotateNow([Key("active", Now.AddDays(-10))], [(KeyPurpose.Tokens, SigningAlgorithms.ES256)], Now, Policy);

        Assert.True(plan.IsEmpty);
    }

    [Fact]
    public void The_earliest_of_several_next_keys_is_the_one_activated()
    {
        var plan = KeyRotationPlanner.RotateNow([Key("active", Now.AddDays(-1)), Key("later", Now.AddDays(40)), Key("sooner", Now.AddDays(5))],
            [(KeyPurpose.Tokens, SigningAlgorithms.ES256)], Now, Policy with { RotationInterval = TimeSpan.FromDays(1) });

        Assert.Equal([("sooner", Now)], plan.Activate);
        // A rotation interval shorter than the pre-publication period: the new next key is published for that period first.
        Assert.Equal([(KeyPurpose.Tokens, SigningAlgorithms.ES256, Now + Policy.PrePublication)], plan.Create);
    }
}
