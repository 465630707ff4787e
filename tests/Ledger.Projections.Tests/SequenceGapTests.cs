using Ledger.Contracts;
using Ledger.Projections.Supervision;
using Ledger.Projections.Tests.Support;
using Marten.Services;
using Npgsql;
using static Ledger.Projections.Tests.Support.BorderZone;

namespace Ledger.Projections.Tests;

/// <summary>
/// Rolled-back appends leave holes in the event sequence while other transactions commit around them,
/// one of them slowly. The daemon must skip the dead holes without ever skipping the slow commit.
/// </summary>
public sealed class SequenceGapTests
{
    [Fact]
    public async Task Every_committed_event_reaches_every_view_when_concurrent_appends_roll_back_and_one_commits_late()
    {
        await using var database = await ViewsDatabase.CreateAsync("gaps");
        // Governments and agreements first, as in the ledger.
        await database.AppendAsync(BorderZone.OneByOne([.. Events().Take(7)]));

        var log = new DaemonLog();
        using var daemon = await database.Store.BuildProjectionDaemonAsync(logger: log);
        await daemon.StartAllAsync();

        var committed = new List<string>();
        var rolledBack = new List<string>();
        // The slow one reserves its sequence numbers first and commits after every other writer, well
        // past the stale-sequence threshold (3 s): its hole must be waited for, not skipped.
        var reserved = new TaskCompletionSource();
        var slow = AppendInTransactionAsync(database, "slow-0", commit: true, hold: TimeSpan.FromSeconds(6), reserved);
        await reserved.Task;
        committed.Add("slow-0");
        var writers = new List<Task> { slow };
        for (var i = 0; i < 24; i++)
        {
            var id = $"gap-{i:D2}";
            var commit = i % 3 != 0;
            (commit ? committed : rolledBack).Add(id);
            writers.Add(AppendInTransactionAsync(database, id, commit, hold: TimeSpan.FromMilliseconds(20 * (i % 4))));
        }
        await Task.WhenAll(writers);

        try
        {
            await database.Freshness.WaitUntilCurrentAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException stalled)
        {
            throw new TimeoutException(stalled.Message + Environment.NewLine + string.Join(Environment.NewLine, log.Lines), stalled);
        }
        await daemon.StopAllAsync();

        var gaps = await CountGapsAsync(database);
        Assert.True(gaps >= rolledBack.Count * 3, $"expected holes in the sequence, found {gaps}");

        foreach (var id in committed)
        {
            var standing = await database.LoadAsync<CommitmentStanding>(id);
            Assert.True(standing is not null, $"{id} committed but is missing from the views");
            Assert.Equal((StandingStatus.Active, Rag.Amber), (standing.Status, standing.Rag));
        }
        foreach (var id in rolledBack)
            Assert.Null(await database.LoadAsync<CommitmentStanding>(id));

        var transport = (await database.LoadAsync<AgreementProgress>(Transport))!;
        Assert.Equal((committed.Count, committed.Count), (transport.Commitments, transport.Amber));
        var liling = (await database.LoadAsync<GovernmentCompliance>(Liling))!;
        Assert.Equal(committed.Count, liling.Led);
        var zone = (await database.LoadAsync<TrendPoint>("zone/all/2024-Q2"))!;
        Assert.Equal(committed.Count, zone.AssessedAmber);
    }

    /// <summary>Registers, activates and assesses one commitment in a transaction the test commits or rolls back.</summary>
    private static async Task AppendInTransactionAsync(ViewsDatabase database, string id, bool commit, TimeSpan hold, TaskCompletionSource? appended = null)
    {
        await using var connection = new NpgsqlConnection(ViewsDatabase.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var session = database.Store.LightweightSession(SessionOptions.ForTransaction(transaction)))
        {
            var stream = StreamKeys.Commitment(id);
            session.Events.Append(stream,
                new CommitmentRegistered(id, Transport, Liling, "transport bureau", ResultType.Output, id, id, new DateOnly(2025, 12, 31), "gov:430281", At(2024, 4, 1)),
                new CommitmentActivated(id, "joint-office", At(2024, 4, 2)),
                new CommitmentAssessed(id, "as-" + id, "2024-Q2", Completion.Limited, DeliveryConfidence.Amber, RiskCategory.Moderate, "slow", "joint-office", At(2024, 5, 1)));
            await session.SaveChangesAsync();
        }
        appended?.SetResult();
        await Task.Delay(hold);
        if (commit) await transaction.CommitAsync();
        else await transaction.RollbackAsync();
    }

    // Against the sequence's last value, not max(seq_id): a rolled-back writer that drew the last
    // numbers leaves holes above every stored row.
    private static async Task<long> CountGapsAsync(ViewsDatabase database)
    {
        await using var connection = new NpgsqlConnection(ViewsDatabase.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"select (select last_value from \"{database.Schema}\".mt_events_sequence) - count(*) from \"{database.Schema}\".mt_events", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
