using System.Diagnostics;
using Ledger.Contracts;
using Ledger.Infrastructure.Audit;
using Ledger.Projections.Supervision;
using Ledger.Projections.Tests.Support;
using Npgsql;
using Xunit.Abstractions;

namespace Ledger.Projections.Tests;

/// <summary>
/// The views as they were: replaying a prefix of the log into a fold that starts from nothing gives,
/// document for document, what the daemon had stored once it had processed exactly that prefix.
/// </summary>
public sealed class ViewsAsOfTests
{
    [Fact]
    public async Task Replaying_up_to_each_daemon_position_gives_exactly_the_documents_the_daemon_had_stored_there()
    {
        await using var database = await ViewsDatabase.CreateAsync("asof");
        var stops = new List<(long Position, SortedDictionary<string, string> Stored)>();
        foreach (var transaction in BorderZone.Grouped(BorderZone.Events(), seed: 7))
        {
            await database.AppendAsync([transaction]);
            await database.CatchUpWithDaemonAsync();
            stops.Add(((await database.Freshness.CheckAsync()).Position, await database.SnapshotAsync()));
        }
        Assert.True(stops.Count > 5);

        foreach (var (position, stored) in stops)
        {
            await using var session = database.Store.QuerySession();
            var replayed = await ViewsAsOf.ReplayAsync(session, null, position, CancellationToken.None);
            Assert.Equal(position, replayed.Point.LastSequence);
            BatchingTests.AssertSame(stored, await SnapshotAsync(database, replayed.Documents), $"replayed to position {position}");
        }
    }

    [Fact]
    public async Task Replays_that_start_from_a_snapshot_give_the_same_documents_as_from_the_first_event()
    {
        await using var database = await ViewsDatabase.CreateAsync("asofsnap");
        var stops = new List<(long Position, SortedDictionary<string, string> Stored)>();
        foreach (var transaction in BorderZone.Grouped(BorderZone.Events(), seed: 11))
        {
            await database.AppendAsync([transaction]);
            await database.CatchUpWithDaemonAsync();
            stops.Add(((await database.Freshness.CheckAsync()).Position, await database.SnapshotAsync()));
        }
        await using (var db = NpgsqlDataSource.Create(ViewsDatabase.ConnectionString))
            await ViewSnapshots.EnsureAsync(db, database.Schema, CancellationToken.None);

        // A snapshot after every 7 events, up to the daemon's high-water mark; asked again, none is due.
        const long every = 7;
        var taken = await ViewSnapshots.ExtendAsync(database.Store, every, null, CancellationToken.None);
        var last = stops[^1].Position;
        Assert.Equal(Enumerable.Range(1, (int)(last / every)).Select(i => i * every), taken);
        Assert.Empty(await ViewSnapshots.ExtendAsync(database.Store, every, null, CancellationToken.None));

        // Rows that do not agree with the events are passed over: one past the last event, stamped before
        // everything (it would be the latest for any question), one whose last event is another, and one of
        // another build's fold.
        await using (var db = NpgsqlDataSource.Create(ViewsDatabase.ConnectionString))
        await using (var forge = db.CreateCommand($"""
            insert into "{database.Schema}".{ViewSnapshots.Table} (fold_version, position, last_sequence, last_timestamp, stamped_until, events, documents, taken_at, data)
            select fold_version, 1000000, last_sequence, last_timestamp, '1970-01-01', events, documents, now(), data from "{database.Schema}".{ViewSnapshots.Table} where position = {every};
            insert into "{database.Schema}".{ViewSnapshots.Table} (fold_version, position, last_sequence, last_timestamp, stamped_until, events, documents, taken_at, data)
            select fold_version, {last / every * every + every}, last_sequence - 1, last_timestamp, '1970-01-01', events, documents, now(), data from "{database.Schema}".{ViewSnapshots.Table} where position = {every};
            insert into "{database.Schema}".{ViewSnapshots.Table} (fold_version, position, last_sequence, last_timestamp, stamped_until, events, documents, taken_at, data)
            select 'another-build', position + 1, last_sequence, last_timestamp, '1970-01-01', events, documents, now(), data from "{database.Schema}".{ViewSnapshots.Table} where position = {every};
            """))
            await forge.ExecuteNonQueryAsync();

        foreach (var (position, stored) in stops)
        {
            await using var session = database.Store.QuerySession();
            var byPosition = await ViewsAsOf.ReplayAsync(session, null, position, CancellationToken.None);
            Assert.Equal(position / every * every is var nearest and > 0 ? nearest : null, byPosition.Point.Snapshot);
            Assert.Equal(position, byPosition.Point.LastSequence);
            Assert.Equal(position, byPosition.Point.Events); // no sequence is skipped here: events 1 to position
            BatchingTests.AssertSame(stored, await SnapshotAsync(database, byPosition.Documents), $"replayed from a snapshot to position {position}");

            var byTime = await ViewsAsOf.ReplayAsync(session, byPosition.Point.LastTimestamp, null, CancellationToken.None);
            Assert.Equal(position, byTime.Point.LastSequence);
            BatchingTests.AssertSame(stored, await SnapshotAsync(database, byTime.Documents), $"replayed from a snapshot to the time of position {position}");
        }
    }

    /// <summary>The fold's documents as PostgreSQL would store them (serialized by the store, normalised as jsonb), keyed as <see cref="ViewsDatabase.SnapshotAsync"/> keys them.</summary>
    internal static async Task<SortedDictionary<string, string>> SnapshotAsync(ViewsDatabase database, SupervisionFold fold)
    {
        var serializer = database.Store.Options.Serializer();
        var keys = new List<string>();
        var json = new List<string>();
        foreach (var type in SupervisionFold.DocumentTypes)
        {
            var held = (IEnumerable<object>)typeof(SupervisionFold).GetMethod(nameof(SupervisionFold.AllHeld))!.MakeGenericMethod(type).Invoke(fold, null)!;
            foreach (var document in held)
            {
                keys.Add($"{type.Name}/{type.GetProperty("Id")!.GetValue(document)}");
                json.Add(serializer.ToJson(document));
            }
        }
        await using var connection = new NpgsqlConnection(ViewsDatabase.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select x::jsonb::text from unnest($1::text[]) with ordinality as t(x, n) order by n", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = json.ToArray() });
        var snapshot = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        for (var i = 0; await reader.ReadAsync(); i++)
            snapshot[keys[i]] = reader.GetString(0);
        return snapshot;
    }
}

/// <summary>A whole-log replay at a size that shows its cost; alone, so that its load does not slow the other classes' daemons.</summary>
[CollectionDefinition(nameof(ViewsAsOfCostTests), DisableParallelization = true)]
[Collection(nameof(ViewsAsOfCostTests))]
public sealed class ViewsAsOfCostTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_replay_of_twenty_thousand_events_equals_the_daemons_documents_and_reports_its_cost()
    {
        await using var database = await ViewsDatabase.CreateAsync("asofbig");
        var events = ManyCommitments(2_000);
        await database.AppendAsync(events.Chunk(200).Select(c => (IReadOnlyList<(string, object)>)c));
        await database.CatchUpWithDaemonAsync(TimeSpan.FromMinutes(3));
        var stored = await database.SnapshotAsync();

        await using var session = database.Store.QuerySession();
        var before = GC.GetTotalAllocatedBytes();
        var watch = Stopwatch.StartNew();
        var replayed = await ViewsAsOf.ReplayAsync(session, null, (await database.Freshness.CheckAsync()).Position, CancellationToken.None);
        watch.Stop();
        var allocated = GC.GetTotalAllocatedBytes() - before;

        Assert.Equal(events.Count, replayed.Point.Events);
        BatchingTests.AssertSame(stored, await ViewsAsOfTests.SnapshotAsync(database, replayed.Documents), "a replay of the whole log");
        output.WriteLine($"{replayed.Point.Events} events replayed in {watch.ElapsedMilliseconds} ms " +
            $"({replayed.Point.Events / watch.Elapsed.TotalSeconds:0} events/s), {stored.Count} documents held, {allocated / 1_048_576} MB allocated");
    }

    /// <summary>
    /// Twelve governments, two agreements and <paramref name="commitments"/> commitments, each through
    /// eleven steps (registered, scheduled, a contributor, activated, a report, an assessment, an overdue
    /// milestone, a rectification ordered, answered, then rejected or accepted, and a met milestone or a
    /// second report), the commitments' steps interleaved as a live ledger interleaves them.
    /// </summary>
    private static List<(string Stream, object Event)> ManyCommitments(int commitments)
    {
        const string office = "joint-office";
        var at = BorderZone.At(2023, 1, 5);
        var events = new List<(string, object)>();
        var governments = Enumerable.Range(0, 12).Select(i => (Id: $"9{i:00000}", Province: i < 6 ? Province.Hunan : Province.Jiangxi)).ToArray();
        foreach (var (id, province) in governments)
            events.Add((StreamKeys.Government(id), new GovernmentRegistered(id, "县" + id, "County " + id, province, "pref-" + (int)province, GovernmentLevel.County, "admin", at)));
        string[] agreements = ["xgb-bulk-a", "xgb-bulk-b"];
        foreach (var a in agreements)
        {
            events.Add((StreamKeys.Agreement(a), new AgreementDrafted(a, "Bulk " + a, a.EndsWith('a') ? TaskArea.Transport : TaskArea.Ecology,
                [new AgreementParty(governments[0].Id, PartyRole.Lead)], new DateOnly(2023, 1, 1), new DateOnly(2026, 12, 31), ["basis"], office, at)));
            events.Add((StreamKeys.Agreement(a), new AgreementActivated(a, office, at)));
        }

        DeliveryConfidence[] confidences = [DeliveryConfidence.Green, DeliveryConfidence.AmberGreen, DeliveryConfidence.Amber, DeliveryConfidence.AmberRed, DeliveryConfidence.Red];
        for (var step = 0; step < 11; step++)
        {
            var when = BorderZone.At(2023, 3, 1).AddDays(step * 30);
            for (var i = 0; i < commitments; i++)
            {
                var c = $"bulk-{i:00000}";
                var lead = governments[i % 12].Id;
                var stream = StreamKeys.Commitment(c);
                object e = step switch
                {
                    0 => new CommitmentRegistered(c, agreements[i % 2], lead, "bureau", (ResultType)(i % 3), "Commitment " + i, "bulk", new DateOnly(2025, 12, 31), "gov:" + lead, when),
                    1 => new MilestoneScheduled(c, new Milestone("m1", "first step", MilestoneType.Delivery, new DateOnly(2023, 6, 30)), "gov:" + lead, when),
                    2 => new ContributorAssigned(c, governments[(i + 1) % 12].Id, 25m, "gov:" + lead, when),
                    3 => new CommitmentActivated(c, office, when),
                    4 => new ProgressReported(c, "r1", "2023-Q2", new DateOnly(2023, 6, 30), [new IndicatorValue("km", i % 10)], "progress", "gov:" + lead, when),
                    5 => new CommitmentAssessed(c, "as-1", "2023-Q2", (Completion)(i % 4), confidences[i % 5], RiskCategory.Moderate, "assessed", office, when),
                    6 => new CommitmentOverdue(c, DueKind.Milestone, "m1", new DateOnly(2023, 6, 30), "system:clock", when),
                    7 => new RectificationOrdered(c, "r1", lead, "late", ["catch up"], new DateOnly(2024, 3, 31), office, when),
                    8 => new RectificationResponded(c, "r1", "catching up", [], "gov:" + lead, when),
                    9 => i % 2 == 0
                        ? new RectificationRejected(c, "r1", "not yet", new DateOnly(2024, 6, 30), office, when)
                        : new RectificationAccepted(c, "r1", "fine", office, when),
                    _ => i % 3 == 0
                        ? new MilestoneStatusChanged(c, "m1", MilestoneStatus.Met, new DateOnly(2023, 12, 1), office, when)
                        : new ProgressReported(c, "r2", "2023-Q4", new DateOnly(2023, 12, 31), [new IndicatorValue("km", i % 7)], "more", "gov:" + lead, when),
                };
                events.Add((stream, e));
            }
        }
        return events;
    }
}
