using Ledger.Projections.Supervision;
using Ledger.Projections.Tests.Support;

namespace Ledger.Projections.Tests;

public sealed class RebuildTests
{
    [Fact]
    public async Task A_rebuild_produces_exactly_the_documents_incremental_processing_produced()
    {
        await using var database = await ViewsDatabase.CreateAsync("rebuild");
        var events = BorderZone.Events();
        // Half, caught up; then the rest: the incremental path crosses several daemon runs.
        await database.AppendAsync(BorderZone.Grouped(events.Take(20).ToList(), seed: 3));
        await database.CatchUpWithDaemonAsync();
        await database.AppendAsync(BorderZone.Grouped(events.Skip(20).ToList(), seed: 4));
        await database.CatchUpWithDaemonAsync();
        var incremental = await database.SnapshotAsync();

        // A document no event explains: a rebuild must tear it down, not replay on top of it.
        await StoreStrayAsync(database);

        await database.RebuildAsync();

        BatchingTests.AssertSame(incremental, await database.SnapshotAsync(), "after a rebuild");
        Assert.True((await database.Freshness.CheckAsync()).IsCurrent);
    }

    [Fact]
    public async Task The_own_rebuild_writes_exactly_the_rows_Martens_rebuild_writes()
    {
        await using var database = await ViewsDatabase.CreateAsync("ownrows");
        await database.AppendAsync(BorderZone.Grouped(BorderZone.Events(), seed: 5));
        // A failed append leaves Marten's tombstone (its own stream, no data, a time of -infinity): passed over by both.
        await database.ExecuteAsync($"""
            insert into "{database.Schema}".mt_streams (id, tenant_id) select 'mt_tombstone', tenant_id from "{database.Schema}".mt_streams limit 1 on conflict do nothing;
            insert into "{database.Schema}".mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type)
            select nextval('"{database.Schema}".mt_events_sequence'), gen_random_uuid(), 'mt_tombstone', 1, jsonb_build_object(), 'tombstone', '-infinity', tenant_id, 'Marten.Events.Tombstone'
            from "{database.Schema}".mt_events limit 1;
            """);
        await database.RebuildAsync();
        var martens = await database.RowsAsync();
        // Every view has rows, so every table's columns are compared.
        foreach (var type in SupervisionFold.DocumentTypes)
            Assert.Contains(martens.Keys, key => key.StartsWith($"mt_doc_{type.Name.ToLowerInvariant()}/", StringComparison.Ordinal));

        await StoreStrayAsync(database);
        var outcome = await database.OwnRebuildAsync();

        BatchingTests.AssertSame(martens, await database.RowsAsync(), "after the own rebuild");
        Assert.Equal(BorderZone.Events().Count, outcome.Events);
        Assert.Equal(martens.Count - 1, outcome.Documents);
        Assert.True((await database.Freshness.CheckAsync()).IsCurrent);
    }

    [Fact]
    public async Task After_the_own_rebuild_the_daemon_carries_on_from_its_progression()
    {
        await using var database = await ViewsDatabase.CreateAsync("owncarry");
        var events = BorderZone.Events();
        // No daemon has run: the rebuild finds the high-water mark itself.
        await database.AppendAsync(BorderZone.Grouped(events.Take(30).ToList(), seed: 6));
        var rebuilt = await database.OwnRebuildAsync();
        Assert.Equal(30, rebuilt.Events);
        Assert.Equal(rebuilt.LastSequence, (await database.Freshness.CheckAsync()).Position);
        Assert.True((await database.Freshness.CheckAsync()).IsCurrent);

        await database.AppendAsync(BorderZone.Grouped(events.Skip(30).ToList(), seed: 7));
        await database.CatchUpWithDaemonAsync();
        var carriedOn = await database.RowsAsync();

        await database.RebuildAsync();
        BatchingTests.AssertSame(await database.RowsAsync(), carriedOn, "the daemon after the own rebuild against Marten's rebuild of the whole log");
    }

    private static async Task StoreStrayAsync(ViewsDatabase database)
    {
        await using var session = database.Store.LightweightSession();
        session.Store(new OverdueItem { Id = "stray/deadline", CommitmentId = "stray" });
        await session.SaveChangesAsync();
    }
}
