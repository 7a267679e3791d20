using System.Text.RegularExpressions;
using Backchannel.Protocol;

namespace Backchannel.Tests;

public partial class RandomIdentifiersTests
{
    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex Base64Url();

    [Fact]
    public void Auth_req_id_is_43_base64url_characters()
    {
        var id = RandomIdentifiers.NewAuthReqId();

        Assert.Equal(43, id.Length);
        Assert.Matches(Base64Url(), id);
    }

    [Fact]
    public void Thousand_auth_req_ids_are_distinct_and_base64url()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => RandomIdentifiers.NewAuthReqId()).ToList();

        Assert.Equal(1000, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, id =>
        {
            Assert.Equal(43, id.Length);
            Assert.Matches(Base64Url(), id);
        });
    }

    [Fact]
    public void Auth_req_ids_use_the_whole_alphabet()
    {
        // 1000 ids of 43 characters draw on every one of the 64 characters with overwhelming probability;
        // a generator that never emits '-' or '_' (or letters of one case) is not base64url.
        var used = Enumerable.Range(0, 1000).SelectMany(_ => RandomIdentifiers.NewAuthReqId()).ToHashSet();

        Assert.Equal(64, used.Count);
    }

    [Fact]
    public void Sortable_ids_are_128_bits_of_url_safe_text_and_sort_by_time()
    {
        var earlier = RandomIdentifiers.NewSortableId(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
        var later = RandomIdentifiers.NewSortableId(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_001));
        var muchLater = RandomIdentifiers.NewSortableId(DateTimeOffset.FromUnixTimeMilliseconds(1_900_000_000_000));

        Assert.Equal(22, earlier.Length);
        Assert.Matches(Base64Url(), earlier);
        Assert.True(string.CompareOrdinal(earlier, later) < 0);
        Assert.True(string.CompareOrdinal(later, muchLater) < 0);
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(1000, Enumerable.Range(0, 1000).Select(_ => RandomIdentifiers.NewSortableId(now)).Distinct().Count());
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(16, 22)]
    [InlineData(20, 27)]
    [InlineData(32, 43)]
    public void New_encodes_the_requested_bytes_without_padding(int bytes, int expectedLength)
    {
        Assert.Equal(expectedLength, RandomIdentifiers.New(bytes).Length);
    }
}
