using Backchannel.Protocol;

namespace Backchannel.Tests.Protocol;

public sealed class UserHintKindNamesTests
{
    public static TheoryData<UserHintKind> Kinds => new(Enum.GetValues<UserHintKind>());

    /// <summary>The audit trail keeps recording what it recorded before (the member's name), for every kind there is.</summary>
    [Theory]
    [MemberData(nameof(Kinds))]
    public void Each_kind_is_named_as_its_member(UserHintKind kind) => Assert.Equal(kind.ToString(), UserHintKindNames.Of(kind));
}
