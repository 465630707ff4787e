using JasperFx.Events;
using Ledger.Projections.Supervision;
using Ledger.Projections.Tests.Support;
using Marten;

namespace Ledger.Projections.Tests;

/// <summary>The same events give the same documents however they were grouped into transactions or projection batches.</summary>
public sealed class BatchingTests
{
    [Fact]
    public async Task Views_do_not_depend_on_how_events_were_grouped_into_projection_batches()
    {
        await using var database = await ViewsDatabase.CreateAsync("batch");
        await database.AppendAsync(BorderZone.OneByOne(BorderZone.Events()));
        await database.CatchUpWithDaemonAsync();
        var reference = await database.SnapshotAsync();
        Assert.NotEmpty(reference);

        IReadOnlyList<IEvent> events;
        await using (var query = database.Store.QuerySession())
            events = [.. (await query.Events.QueryAllRawEvents().ToListAsync()).OrderBy(e => e.Sequence)];

        // Seeded, so a failure names a grouping that can be replayed.
        for (var seed = 1; seed <= 12; seed++)
        {
            foreach (var type in SupervisionFold.DocumentTypes)
                await database.Store.Advanced.Clean.DeleteDocumentsByTypeAsync(type);
            foreach (var batch in Cut(events, seed))
            {
                await using var session = database.Store.LightweightSession();
                await new SupervisionProjection().ApplyAsync(session, batch, CancellationToken.None);
                await session.SaveChangesAsync();
            }
            AssertSame(reference, await database.SnapshotAsync(), $"projection batches cut with seed {seed}");
        }
    }

    [Fact]
    public async Task Views_do_not_depend_on_how_events_were_grouped_into_transactions()
    {
        var events = BorderZone.Events();
        SortedDictionary<string, string> reference;
        await using (var oneByOne = await ViewsDatabase.CreateAsync("txref"))
        {
            await oneByOne.AppendAsync(BorderZone.OneByOne(events));
            await oneByOne.CatchUpWithDaemonAsync();
            reference = await oneByOne.SnapshotAsync();
        }
        foreach (var seed in new[] { 11, 42 })
        {
            await using var grouped = await ViewsDatabase.CreateAsync("txgrp");
            await grouped.AppendAsync(BorderZone.Grouped(events, seed));
            await grouped.CatchUpWithDaemonAsync();
            AssertSame(reference, await grouped.SnapshotAsync(), $"transactions grouped with seed {seed}");
        }
    }

    private static IEnumerable<IReadOnlyList<IEvent>> Cut(IReadOnlyList<IEvent> events, int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < events.Count;)
        {
            var size = Math.Min(random.Next(1, 12), events.Count - i);
            yield return [.. events.Skip(i).Take(size)];
            i += size;
        }
    }

    internal static void AssertSame(SortedDictionary<string, string> expected, SortedDictionary<string, string> actual, string how)
    {
        Assert.True(expected.Keys.SequenceEqual(actual.Keys),
            $"{how}: documents differ: missing [{string.Join(", ", expected.Keys.Except(actual.Keys))}], extra [{string.Join(", ", actual.Keys.Except(expected.Keys))}]");
        foreach (var (id, json) in expected)
            Assert.True(json == actual[id], $"{how}: {id} differs:\n expected {json}\n actual   {actual[id]}");
    }
}
