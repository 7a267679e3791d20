using Backchannel.Storage.Sqlite;

namespace Backchannel.Tests.Storage;

/// <summary>The queue in front of the SQLite writer: batches, waking the writer, completion.</summary>
public sealed class WriteQueueTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public void A_batch_takes_what_is_queued_up_to_its_size_in_order()
    {
        var queue = new WriteQueue<int>(maxBatchSize: 3);
        for (var i = 1; i <= 5; i++)
        {
            Assert.True(queue.TryAdd(i));
        }

        var batch = new List<int>();
        Assert.True(queue.TryTakeBatch(batch));
        Assert.Equal([1, 2, 3], batch);

        batch.Clear();
        Assert.True(queue.TryTakeBatch(batch));
        Assert.Equal([4, 5], batch);
    }

    [Fact]
    public async Task A_waiting_writer_wakes_when_an_item_arrives()
    {
        var queue = new WriteQueue<int>(maxBatchSize: 8);
        var batch = new List<int>();
        var writer = Task.Factory.StartNew(() => queue.TryTakeBatch(batch), TaskCreationOptions.LongRunning);

        // The writer is waiting on an empty queue; nothing comes out until something goes in.
        await Task.WhenAny(writer, Task.Delay(100));
        Assert.False(writer.IsCompleted);
        Assert.True(queue.TryAdd(42));

        Assert.True(await writer.WaitAsync(Patience));
        Assert.Equal([42], batch);
    }

    [Fact]
    public async Task Completion_refuses_new_items_lets_the_writer_drain_and_then_ends_it()
    {
        var queue = new WriteQueue<int>(maxBatchSize: 8);
        Assert.True(queue.TryAdd(1));
        queue.Complete();

        Assert.False(queue.TryAdd(2));
        var batch = new List<int>();
        Assert.True(queue.TryTakeBatch(batch));
        Assert.Equal([1], batch);
        Assert.False(queue.TryTakeBatch(batch));

        // A writer waiting on an empty queue is released by completion.
        var idle = new WriteQueue<int>(maxBatchSize: 8);
        var waiting = Task.Factory.StartNew(() => idle.TryTakeBatch([]), TaskCreationOptions.LongRunning);
        await Task.WhenAny(waiting, Task.Delay(50));
        Assert.False(waiting.IsCompleted);
        idle.Complete();
        Assert.False(await waiting.WaitAsync(Patience));
    }

    [Fact]
    public async Task Items_added_from_many_threads_all_reach_the_writer_once()
    {
        var queue = new WriteQueue<int>(maxBatchSize: 16);
        var seen = new List<int>();
        var writer = Task.Factory.StartNew(() =>
        {
            var batch = new List<int>();
            while (queue.TryTakeBatch(batch))
            {
                Assert.InRange(batch.Count, 1, 16);
                seen.AddRange(batch);
                batch.Clear();
            }
        }, TaskCreationOptions.LongRunning);

        await Parallel.ForEachAsync(Enumerable.Range(0, 4), async (producer, _) =>
        {
            for (var i = 0; i < 2_500; i++)
            {
                Assert.True(queue.TryAdd(producer * 10_000 + i));
                if (i % 500 == 0)
                {
                    await Task.Yield();
                }
            }
        });
        queue.Complete();
        await writer.WaitAsync(Patience);

        Assert.Equal(10_000, seen.Count);
        Assert.Equal(10_000, seen.Distinct().Count());
    }
}
