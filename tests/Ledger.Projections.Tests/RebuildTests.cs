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
        await using (var session = database.Store.LightweightSession())
        {
            session.Store(new OverdueItem { Id = "stray/deadline", CommitmentId = "stray" });
            await session.SaveChangesAsync();
        }

        await database.RebuildAsync();

        BatchingTests.AssertSame(incremental, await database.SnapshotAsync(), "after a rebuild");
        Assert.True((await database.Freshness.CheckAsync()).IsCurrent);
    }
}
