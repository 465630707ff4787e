using Ledger.Contracts;
using Ledger.Infrastructure.Store;
using Marten;

namespace Ledger.Benchmarks.Appends;

/// <summary>
/// The peer: the same appends straight through Marten, configured as the ledger's store is
/// (<see cref="LedgerStore.Create"/>, inline projections included) in a schema of its own. Each append
/// opens a lightweight session, fetches the stream, appends one <see cref="ProgressReported"/> with
/// the fetched version as the expected version, and saves. No HTTP, no token, no decider.
/// </summary>
public sealed class PeerMarten(DocumentStore store, IReadOnlyList<object> template) : IAppendTarget
{
    private string _run = "";

    public string Name => "peer";

    public static async Task<PeerMarten> CreateAsync(string connectionString, string schema, IReadOnlyList<object> template)
    {
        var store = LedgerStore.Create(connectionString, schema, TimeProvider.System);
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        return new PeerMarten(store, template);
    }

    /// <summary>Starts every stream with the events the API wrote for an active commitment, renamed.</summary>
    public async Task PrepareAsync(string run, int clients, int operationsPerClient)
    {
        foreach (var chunk in StreamPlan.CommitmentIds(run, clients, operationsPerClient).Chunk(50))
        {
            await using var session = store.LightweightSession();
            foreach (var id in chunk)
                session.Events.StartStream(StreamKeys.Commitment(id), [.. template.Select(e => Renamed(e, id))]);
            await session.SaveChangesAsync();
        }
        _run = run;
    }

    public async Task AppendAsync(int client, int index)
    {
        var id = StreamPlan.CommitmentId(_run, client, index);
        var key = StreamKeys.Commitment(id);
        var evt = Report(id, client, index);

        await using var session = store.LightweightSession();
        var events = await session.Events.FetchStreamAsync(key);
        var version = events.Count == 0 ? 0 : events[^1].Version;
        var a = session.Events.Append(key, evt);
        a.ExpectedVersionOnServer = version;
        await session.SaveChangesAsync();
    }

    /// <summary>What the decider appends for the report ours posts.</summary>
    public static ProgressReported Report(string commitmentId, int client, int index) => new(
        commitmentId, StreamPlan.ReportId(index), "2024", new DateOnly(2024, 6, 30),
        [new IndicatorValue("months-class-iii", 10, null)], $"Benchmark report {index} from client {client}.",
        "government:" + PilotSetup.Liuyang, DateTimeOffset.UtcNow);

    private static object Renamed(object e, string id) => e switch
    {
        CommitmentRegistered x => x with { CommitmentId = id },
        IndicatorDefined x => x with { CommitmentId = id },
        MilestoneScheduled x => x with { CommitmentId = id },
        ContributorAssigned x => x with { CommitmentId = id },
        CommitmentActivated x => x with { CommitmentId = id },
        _ => throw new InvalidOperationException($"the template commitment holds an unexpected {e.GetType().Name}"),
    };

    public ValueTask DisposeAsync() => store.DisposeAsync();
}
