using Backchannel.Domain;
using Backchannel.Keys;
using Backchannel.Protocol;

namespace Backchannel.Tests;

public class KeyRotationPlannerTests
{
    private static readonly DateTimeOffset Now = new(2030, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly KeyRotationPolicy Policy = new(
        RotationInterval: TimeSpan.FromDays(30),
        PrePublication: TimeSpan.FromDays(2),
        Retention: TimeSpan.FromDays(7));

    private static readonly (KeyPurpose, string)[] TokensRs256 = [(KeyPurpose.Tokens, SigningAlgorithms.RS256)];

    private static KeySchedule Key(string id, DateTimeOffset activatesAt, DateTimeOffset? retainUntil = null,
        string algorithm = SigningAlgorithms.RS256, KeyPurpose purpose = KeyPurpose.Tokens) =>
        new(id, algorithm, purpose, activatesAt, retainUntil);

    [Fact]
    public void Empty_store_gets_an_active_key_and_a_next_key()
    {
        var plan = KeyRotationPlanner.Plan([], TokensRs256, Now, Policy);

        Assert.Equal(
            [(KeyPurpose.Tokens, SigningAlgorithms.RS256, Now), (KeyPurpose.Tokens, SigningAlgorithms.RS256, Now + Policy.RotationInterval)],
            plan.Create);
        Assert.Empty(plan.Retire);
        Assert.Empty(plan.Delete);
        Assert.False(plan.IsEmpty);
    }

    [Fact]
    public void Next_key_is_published_at_least_the_pre_publication_period_ahead()
    {
        var policy = Policy with { RotationInterval = TimeSpan.FromHours(1), PrePublication = TimeSpan.FromDays(1) };

        var plan = KeyRotationPlanner.Plan([], TokensRs256, Now, policy);

        Assert.Equal(Now + TimeSpan.FromDays(1), plan.Create[1].ActivatesAt);
    }

    [Fact]
    public void Every_wanted_purpose_gets_its_keys()
    {
        (KeyPurpose, string)[] wanted =
        [
            (KeyPurpose.Tokens, SigningAlgorithms.PS256),
            (KeyPurpose.DeviceCallbacks, SigningAlgorithms.ES256),
        ];

        var plan = KeyRotationPlanner.Plan([], wanted, Now, Policy);

        Assert.Equal(2, plan.Create.Count(c => c.Purpose == KeyPurpose.Tokens && c.Algorithm == SigningAlgorithms.PS256));
        Assert.Equal(2, plan.Create.Count(c => c.Purpose == KeyPurpose.DeviceCallbacks && c.Algorithm == SigningAlgorithms.ES256));
    }

    [Fact]
    public void Steady_state_needs_no_change()
    {
        var keys = new[] { Key("active", Now.AddDays(-10)), Key("next", Now.AddDays(20)) };

        var plan = KeyRotationPlanner.Plan(keys, TokensRs256, Now, Policy);

        Assert.True(plan.IsEmpty);
    }

    [Fact]
    public void Next_key_becomes_active_when_its_time_comes_and_the_previous_one_is_retired()
    {
        var nextActivation = Now.AddDays(-1);
        var keys = new[] { Key("old", Now.AddDays(-31)), Key("next", nextActivation) };

        var plan = KeyRotationPlanner.Plan(keys, TokensRs256, Now, Policy);

        Assert.Equal([("old", nextActivation + Policy.Retention)], plan.Retire);
        Assert.Empty(plan.Delete);
        // A new next key follows the one that just became active.
        Assert.Equal([(KeyPurpose.Tokens, SigningAlgorithms.RS256, nextActivation + Policy.RotationInterval)], plan.Create);
    }

    [Fact]
    public void Several_superseded_keys_are_each_retired_from_their_successors_activation()
    {
        var keys = new[] { Key("k1", Now.AddDays(-90)), Key("k2", Now.AddDays(-60)), Key("k3", Now.AddDays(-30)), Key("k4", Now.AddDays(5)) };

        var plan = KeyRotationPlanner.Plan(keys, TokensRs256, Now, Policy);

        Assert.Equal(2, plan.Retire.Count);
        Assert.Contains(("k2", Now.AddDays(-30) + Policy.Retention), plan.Retire);
        Assert.Contains(("k1", Now.AddDays(-60) + Policy.Retention), plan.Retire);
        Assert.Empty(plan.Create);
    }

    [Fact]
    public void Keys_past_their_retention_are_deleted()
    {
        var keys = new[]
        {
            Key("gone", Now.AddDays(-60), retainUntil: Now.AddSeconds(-1)),
            Key("just-gone", Now.AddDays(-60), retainUntil: Now),
            Key("kept", Now.AddDays(-40), retainUntil: Now.AddDays(1)),
            Key("active", Now.AddDays(-10)),
            Key("next", Now.AddDays(20)),
        };

        var plan = KeyRotationPlanner.Plan(keys, TokensRs256, Now, Policy);

        Assert.Equal(["gone", "just-gone"], plan.Delete.Order(StringComparer.Ordinal));
        Assert.Empty(plan.Retire);
        Assert.Empty(plan.Create);
    }

    [Fact]
    public void Retired_keys_do_not_count_as_active_or_next()
    {
        var keys = new[] { Key("retired-active", Now.AddDays(-10), retainUntil: Now.AddDays(3)), Key("retired-next", Now.AddDays(10), retainUntil: Now.AddDays(3)) };

        var plan = KeyRotationPlanner.Plan(keys, TokensRs256, Now, Policy);

        Assert.Equal(2, plan.Create.Count);
        Assert.Equal(Now, plan.Create[0].ActivatesAt);
    }

    [Fact]
    public void Algorithm_change_retires_the_old_algorithms_keys_and_creates_new_ones()
    {
        var keys = new[] { Key("rs-active", Now.AddDays(-10)), Key("rs-next", Now.AddDays(20)) };
        (KeyPurpose, string)[] wanted = [(KeyPurpose.Tokens, SigningAlgorithms.ES256)];

        var plan = KeyRotationPlanner.Plan(keys, wanted, Now, Policy);

        Assert.Equal(
            [("rs-active", Now + Policy.Retention), ("rs-next", Now + Policy.Retention)],
            plan.Retire.OrderBy(r => r.KeyId, StringComparer.Ordinal));
        Assert.Equal(
            [(KeyPurpose.Tokens, SigningAlgorithms.ES256, Now), (KeyPurpose.Tokens, SigningAlgorithms.ES256, Now + Policy.RotationInterval)],
            plan.Create);
    }

    [Fact]
    public void Keys_of_a_purpose_no_longer_wanted_are_retired_but_others_are_kept()
    {
        var keys = new[]
        {
            Key("cb-active", Now.AddDays(-10), algorithm: SigningAlgorithms.ES256, purpose: KeyPurpose.DeviceCallbacks),
            Key("cb-next", Now.AddDays(20), algorithm: SigningAlgorithms.ES256, purpose: KeyPurpose.DeviceCallbacks),
            Key("tok-active", Now.AddDays(-10)),
            Key("tok-next", Now.AddDays(20)),
        };
        (KeyPurpose, string)[] wanted = [(KeyPurpose.DeviceCallbacks, SigningAlgorithms.ES256)];

        var plan = KeyRotationPlanner.Plan(keys, wanted, Now, Policy);

        Assert.Equal(["tok-active", "tok-next"], plan.Retire.Select(r => r.KeyId).Order(StringComparer.Ordinal));
        Assert.Empty(plan.Create);
    }

    [Fact]
    public void Active_key_without_a_next_key_gets_one()
    {
        var keys = new[] { Key("active", Now.AddDays(-10)) };

        var plan = KeyRotationPlanner.Plan(keys, TokensRs256, Now, Policy);

        Assert.Equal([(KeyPurpose.Tokens, SigningAlgorithms.RS256, Now.AddDays(20))], plan.Create);
    }

    [Fact]
    public void Late_next_key_is_still_published_the_pre_publication_period_ahead()
    {
        // The active key is older than a rotation interval and no next key exists (say the planner did not run).
        var keys = new[] { Key("active", Now.AddDays(-45)) };

        var plan = KeyRotationPlanner.Plan(keys, TokensRs256, Now, Policy);

        Assert.Equal([(KeyPurpose.Tokens, SigningAlgorithms.RS256, Now + Policy.PrePublication)], plan.Create);
    }

    [Fact]
    public void Running_the_plan_repeatedly_over_time_always_leaves_an_active_and_a_next_key()
    {
        var keys = new List<KeySchedule>();
        var counter = 0;
        for (var now = Now; now < Now.AddDays(400); now = now.AddHours(13))
        {
            var plan = KeyRotationPlanner.Plan(keys, TokensRs256, now, Policy);
            keys.RemoveAll(k => plan.Delete.Contains(k.KeyId));
            foreach (var (keyId, retainUntil) in plan.Retire)
            {
                var index = keys.FindIndex(k => k.KeyId == keyId);
                keys[index] = keys[index] with { RetainUntil = retainUntil };
            }

            foreach (var (purpose, algorithm, activatesAt) in plan.Create)
            {
                keys.Add(new KeySchedule($"k{counter++}", algorithm, purpose, activatesAt, null));
            }

            var current = now;
            var unretired = keys.Where(k => k.RetainUntil is null).ToList();
            Assert.Single(unretired, k => k.ActivatesAt <= current);
            Assert.Single(unretired, k => k.ActivatesAt > current);
            Assert.All(keys.Where(k => k.RetainUntil is not null), k => Assert.True(k.RetainUntil > current - TimeSpan.FromHours(13)));
            Assert.True(KeyRotationPlanner.Plan(keys, TokensRs256, now, Policy).IsEmpty, "the plan should be stable once applied");
        }

        // 400 days with a 30-day rotation: about 14 keys made, and retired keys were deleted along the way.
        Assert.InRange(counter, 13, 16);
        Assert.InRange(keys.Count, 2, 4);
    }
}
