using Backchannel.Domain;

namespace Backchannel.Keys;

/// <summary>The publication window of a stored key, as the planner sees it.</summary>
public sealed record KeySchedule(string KeyId, string Algorithm, KeyPurpose Purpose, DateTimeOffset ActivatesAt, DateTimeOffset? RetainUntil);

/// <summary>What to change in the store so that the key ring follows the rotation policy.</summary>
public sealed record KeyRotationPlan(
    IReadOnlyList<(KeyPurpose Purpose, string Algorithm, DateTimeOffset ActivatesAt)> Create,
    IReadOnlyList<(string KeyId, DateTimeOffset RetainUntil)> Retire,
    IReadOnlyList<string> Delete)
{
    /// <summary>Keys that start signing now instead of at their planned time (a rotation brought forward).</summary>
    public IReadOnlyList<(string KeyId, DateTimeOffset ActivatesAt)> Activate { get; init; } = [];

    public bool IsEmpty => Create.Count == 0 && Retire.Count == 0 && Delete.Count == 0 && Activate.Count == 0;
}

public sealed record KeyRotationPolicy(TimeSpan RotationInterval, TimeSpan PrePublication, TimeSpan Retention);

/// <summary>
/// Key rotation as a pure function of the stored keys and the time: for each purpose there is always one active key
/// (the newest whose activation time has come) and one published next key that activates later, so relying parties see
/// a key in /jwks before it signs; superseded keys stay published for the retention period, then go.
/// </summary>
public static class KeyRotationPlanner
{
    public static KeyRotationPlan Plan(IReadOnlyList<KeySchedule> keys, IReadOnlyList<(KeyPurpose Purpose, string Algorithm)> wanted,
        DateTimeOffset now, KeyRotationPolicy policy)
    {
        var create = new List<(KeyPurpose, string, DateTimeOffset)>();
        var retire = new List<(string, DateTimeOffset)>();
        var delete = keys.Where(k => k.RetainUntil is { } until && until <= now).Select(k => k.KeyId).ToList();
        var live = keys.Where(k => !delete.Contains(k.KeyId)).ToList();

        foreach (var (purpose, algorithm) in wanted)
        {
            var mine = live.Where(k => k.Purpose == purpose && k.Algorithm == algorithm && k.RetainUntil is null).ToList();
            var active = mine.Where(k => k.ActivatesAt <= now).OrderByDescending(k => k.ActivatesAt).ToList();
            var upcoming = mine.Where(k => k.ActivatesAt > now).ToList();

            var currentActivation = now;
            if (active.Count == 0)
            {
                create.Add((purpose, algorithm, now));
            }
            else
            {
                currentActivation = active[0].ActivatesAt;
                for (var i = 1; i < active.Count; i++)
                {
                    retire.Add((active[i].KeyId, active[i - 1].ActivatesAt + policy.Retention));
                }
            }

            if (upcoming.Count == 0)
            {
                var next = currentActivation + policy.RotationInterval;
                var earliest = now + policy.PrePublication;
                create.Add((purpose, algorithm, next < earliest ? earliest : next));
            }
        }

        // Keys of a purpose and algorithm no longer wanted (the signing algorithm changed) stay published for the retention period.
        foreach (var key in live.Where(k => k.RetainUntil is null && !wanted.Contains((k.Purpose, k.Algorithm))))
        {
            retire.Add((key.KeyId, now + policy.Retention));
        }

        return new KeyRotationPlan(create, retire, delete);
    }

    /// <summary>
    /// A rotation brought forward (an operator asks for it): for each wanted purpose and algorithm, the published next key
    /// starts signing now, the key it replaces is retired (published for the retention period), and a new next key is
    /// planned a rotation interval ahead (at least the pre-publication period). A purpose and algorithm without a published
    /// next key is left alone: a key must be published before it signs.
    /// </summary>
    public static KeyRotationPlan RotateNow(IReadOnlyList<KeySchedule> keys, IReadOnlyList<(KeyPurpose Purpose, string Algorithm)> wanted,
        DateTimeOffset now, KeyRotationPolicy policy)
    {
        var create = new List<(KeyPurpose, string, DateTimeOffset)>();
        var retire = new List<(string, DateTimeOffset)>();
        var activate = new List<(string, DateTimeOffset)>();
        foreach (var (purpose, algorithm) in wanted)
        {
            var mine = keys.Where(k => k.Purpose == purpose && k.Algorithm == algorithm && k.RetainUntil is null).ToList();
            if (mine.Where(k => k.ActivatesAt > now).MinBy(k => k.ActivatesAt) is not { } next)
            {
                continue;
            }

            activate.Add((next.KeyId, now));
            retire.AddRange(mine.Where(k => k.ActivatesAt <= now).Select(k => (k.KeyId, now + policy.Retention)));
            var following = now + policy.RotationInterval;
            var earliest = now + policy.PrePublication;
            create.Add((purpose, algorithm, following < earliest ? earliest : following));
        }

        return new KeyRotationPlan(create, retire, []) { Activate = activate };
    }
}
