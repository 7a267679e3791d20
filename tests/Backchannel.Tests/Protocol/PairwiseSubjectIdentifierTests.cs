using System.Security.Cryptography;
using Backchannel.Protocol;

namespace Backchannel.Tests.Protocol;

public class PairwiseSubjectIdentifierTests
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(PairwiseSubjectIdentifier.KeySize);

    [Fact]
    public void The_same_key_sector_and_subject_give_the_same_value()
    {
        Assert.Equal(PairwiseSubjectIdentifier.Derive(Key, "bank.example", "alice"), PairwiseSubjectIdentifier.Derive(Key, "bank.example", "alice"));
        Assert.Equal(PairwiseSubjectIdentifier.Derive(Key.ToArray(), "bank.example", "alice"), PairwiseSubjectIdentifier.Derive(Key, "bank.example", "alice"));
    }

    [Fact]
    public void Another_sector_subject_or_key_gives_another_value()
    {
        var value = PairwiseSubjectIdentifier.Derive(Key, "bank.example", "alice");

        Assert.NotEqual(value, PairwiseSubjectIdentifier.Derive(Key, "shop.example", "alice"));
        Assert.NotEqual(value, PairwiseSubjectIdentifier.Derive(Key, "bank.example", "bob"));
        Assert.NotEqual(value, PairwiseSubjectIdentifier.Derive(RandomNumberGenerator.GetBytes(PairwiseSubjectIdentifier.KeySize), "bank.example", "alice"));
    }

    [Fact]
    public void The_boundary_between_sector_and_subject_is_unambiguous()
    {
        // A host name has no NUL: moving characters across the boundary always changes the input.
        Assert.NotEqual(PairwiseSubjectIdentifier.Derive(Key, "bank.example", "alice"), PairwiseSubjectIdentifier.Derive(Key, "bank.exampl", "ealice"));
        Assert.NotEqual(PairwiseSubjectIdentifier.Derive(Key, "bank.example", "\0alice"), PairwiseSubjectIdentifier.Derive(Key, "bank.example", "alice"));
    }

    [Fact]
    public void The_value_is_the_hmac_sha256_of_sector_nul_subject_in_base64url()
    {
        var expected = Convert.ToBase64String(HMACSHA256.HashData(Key, "bank.example\0alice"u8.ToArray()))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

        var value = PairwiseSubjectIdentifier.Derive(Key, "bank.example", "alice");

        Assert.Equal(expected, value);
        Assert.Equal(43, value.Length);
        Assert.Matches("^[A-Za-z0-9_-]+$", value);
    }

    [Fact]
    public void Long_and_non_ascii_subjects_are_derived_too()
    {
        var longSubject = new string('x', 4000);

        Assert.Equal(43, PairwiseSubjectIdentifier.Derive(Key, "bank.example", longSubject).Length);
        Assert.NotEqual(PairwiseSubjectIdentifier.Derive(Key, "bank.example", "jürgen"), PairwiseSubjectIdentifier.Derive(Key, "bank.example", "jurgen"));
    }
}
