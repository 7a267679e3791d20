using Backchannel.Abstractions;
using Backchannel.Domain;

namespace Backchannel.Tests.Storage.Contract;

/// <summary>The contract of <see cref="IPairwiseSubjectStore"/>: pairwise subs given out, traced back by sector and value.</summary>
public abstract class PairwiseSubjectStoreContract : StoreContract
{
    private IPairwiseSubjectStore Subjects => Stores.PairwiseSubjects;

    private ValueTask<string?> FindAsync(string sector, string value) => Subjects.FindSubjectAsync(sector, value, CancellationToken.None);

    [Fact]
    public async Task A_recorded_value_leads_to_its_user_in_its_sector_only()
    {
        await Subjects.RecordAsync(new PairwiseSubject("bank.example", "pw-alice", "alice"), CancellationToken.None);
        await Subjects.RecordAsync(new PairwiseSubject("shop.example", "pw-alice-shop", "alice"), CancellationToken.None);

        Assert.Equal("alice", await FindAsync("bank.example", "pw-alice"));
        Assert.Equal("alice", await FindAsync("shop.example", "pw-alice-shop"));
        Assert.Null(await FindAsync("shop.example", "pw-alice"));
        Assert.Null(await FindAsync("bank.example", "pw-alice-shop"));
        Assert.Null(await FindAsync("bank.example", "PW-ALICE"));
        Assert.Null(await FindAsync("bank.example", "alice"));
    }

    [Fact]
    public async Task Recording_again_keeps_the_first_record()
    {
        await Subjects.RecordAsync(new PairwiseSubject("bank.example", "pw-1", "alice"), CancellationToken.None);
        await Subjects.RecordAsync(new PairwiseSubject("bank.example", "pw-1", "alice"), CancellationToken.None);
        await Subjects.RecordAsync(new PairwiseSubject("bank.example", "pw-1", "mallory"), CancellationToken.None);

        Assert.Equal("alice", await FindAsync("bank.example", "pw-1"));
    }

    [Fact]
    public async Task Concurrent_records_of_one_value_store_one()
    {
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() =>
            Subjects.RecordAsync(new PairwiseSubject("bank.example", "pw-1", "alice"), CancellationToken.None))));

        Assert.Equal("alice", await FindAsync("bank.example", "pw-1"));
    }

    [Fact]
    public async Task Records_survive_a_reopen()
    {
        await Subjects.RecordAsync(new PairwiseSubject("bank.example", "pw-1", "alice"), CancellationToken.None);

        await ReopenAsync();

        Assert.Equal("alice", await FindAsync("bank.example", "pw-1"));
    }
}
