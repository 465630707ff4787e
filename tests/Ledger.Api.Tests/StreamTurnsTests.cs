using Ledger.Infrastructure.Writing;

namespace Ledger.Api.Tests;

/// <summary>
/// The writers of one stream take turns within a node; other streams do not wait for them, and a writer
/// that gives up waiting leaves nothing behind.
/// </summary>
public sealed class StreamTurnsTests
{
    [Fact]
    public async Task One_stream_is_held_by_one_writer_at_a_time_and_other_streams_go_on()
    {
        var turns = new StreamTurns();
        var first = await turns.EnterAsync("commitment/a", CancellationToken.None);

        var second = turns.EnterAsync("commitment/a", CancellationToken.None);
        var other = turns.EnterAsync("commitment/b", CancellationToken.None);
        using (await other.WaitAsync(TimeSpan.FromSeconds(5)))
            Assert.False(second.IsCompleted);

        first.Dispose();
        using (await second.WaitAsync(TimeSpan.FromSeconds(5)))
            Assert.Equal(1, turns.Count);
        Assert.Equal(0, turns.Count);
    }

    [Fact]
    public async Task A_writer_that_stops_waiting_leaves_the_turn_to_the_others()
    {
        var turns = new StreamTurns();
        var held = await turns.EnterAsync("commitment/a", CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var waiting = turns.EnterAsync("commitment/a", cancel.Token);
        var next = turns.EnterAsync("commitment/a", CancellationToken.None);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        held.Dispose();
        held.Dispose(); // twice changes nothing
        using (await next.WaitAsync(TimeSpan.FromSeconds(5)))
            Assert.Equal(1, turns.Count);
        Assert.Equal(0, turns.Count);
    }

    [Fact]
    public async Task Many_writers_of_one_stream_never_overlap()
    {
        var turns = new StreamTurns();
        var inside = 0;
        var most = 0;
        await Task.WhenAll(Enumerable.Range(0, 64).Select(async _ =>
        {
            using (await turns.EnterAsync("commitment/a", CancellationToken.None))
            {
                var now = Interlocked.Increment(ref inside);
                InterlockedMax(ref most, now);
                await Task.Yield();
                Interlocked.Decrement(ref inside);
            }
        }));
        Assert.Equal(1, most);
        Assert.Equal(0, turns.Count);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current) return;
            current = seen;
        }
    }
}
