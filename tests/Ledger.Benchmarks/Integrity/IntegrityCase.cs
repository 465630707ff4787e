using System.Diagnostics;
using Ledger.Benchmarks.Reporting;
using Ledger.Infrastructure.Integrity;
using Ledger.Integrity.Checkpoints;
using Ledger.Integrity.Merkle;
using Npgsql;

namespace Ledger.Benchmarks.Integrity;

/// <summary>
/// The tamper-evidence cases over a ledger of <see cref="BenchSettings.IntegrityEvents"/> events,
/// generated once (<see cref="BenchLedger"/>, not timed):
/// <list type="bullet">
/// <item><c>integrity.integrate</c> (leaves/s): <see cref="MerkleIntegrator.IntegrateAsync"/> over every
/// event into fresh integrity tables, against the same rows read in the same batches and turned into
/// SHA-256 hashes of their canonical leaf bytes (peer) and against reading them alone (limit).</item>
/// <item><c>integrity.verify</c> (events/s): <see cref="LedgerVerifier.VerifyAsync(TrustPolicy, string?, Action{long, long}?, CancellationToken)"/> in this process,
/// against one streamed read + encoding + SHA-256 of every event (peer) and the streamed read alone
/// (limit); plus the peak RSS of <c>ledger verify</c> in a child process over the ledger and over one a
/// tenth its size.</item>
/// <item><c>integrity.proof.inclusion</c>, <c>integrity.proof.consistency</c> (proofs/s, one client):
/// <see cref="LedgerIntegrity.InclusionAsync"/> of random events and <see cref="LedgerIntegrity.ConsistencyAsync"/>
/// from random sizes, both to the latest signed checkpoint (the whole tree), as the API answers them.</item>
/// </list>
/// Targets take turns within each run, the order rotating, and each case reports the medians of the runs.
/// </summary>
public sealed class IntegrityCase(BenchSettings settings, string connectionString)
{
    public const string Schema = "bench_integrity";
    public const string SmallSchema = "bench_integrity_small";

    /// <summary>The integrator's default batch, what the API's background worker uses.</summary>
    private const int BatchSize = 1000;

    private const string Ours = "ours", Peer = "peer", Limit = "limit";

    public async Task<IReadOnlyList<CaseResult>> RunAsync(CancellationToken ct = default)
    {
        var events = settings.IntegrityEvents;
        var smallEvents = Math.Max(1, events / 10);
        await using var db = NpgsqlDataSource.Create(connectionString);
        using var signer = CheckpointSigner.Generate("bench");

        await BenchLedger.CreateAsync(db, connectionString, SmallSchema, smallEvents, ct);
        await BenchLedger.CreateAsync(db, connectionString, Schema, events, ct);

        // The small ledger, integrated and signed untimed, also warms up every code path the runs take.
        var small = new LedgerIntegrity(db, SmallSchema, signer, TimeProvider.System, new MerkleIntegrator(db, SmallSchema));
        var warm = Stopwatch.StartNew();
        await small.CheckpointAsync(ct);
        await new LedgerVerifier(db, SmallSchema).VerifyAsync(signer.VerifierKey, null, null, ct);
        await EventReads.EncodeAndHashAsync(db, SmallSchema, BatchSize, ct);
        await EventReads.ReadOnlyAsync(db, Schema, null, ct); // and the big table into the page cache
        Log($"warm-up (small ledger integrated, signed and verified; big table read once) in {warm.Elapsed.TotalSeconds:F1} s");

        var integrate = await IntegrateAsync(db, events, ct);

        // The last run left the whole tree: sign it, then prove and verify against it.
        var ledger = new LedgerIntegrity(db, Schema, signer, TimeProvider.System, new MerkleIntegrator(db, Schema));
        var checkpoint = await ledger.CheckpointAsync(ct) ?? throw new InvalidOperationException("no checkpoint was signed");
        if (checkpoint.TreeSize != events) throw new InvalidOperationException($"the checkpoint covers {checkpoint.TreeSize} events, not {events}");
        await LogTreeSizeAsync(db, ct);

        var inclusion = await ProofsAsync(db, "integrity.proof.inclusion", events, ledger, Inclusion, ct);
        var consistency = await ProofsAsync(db, "integrity.proof.consistency", events, ledger, Consistency, ct);
        var verify = await VerifyAsync(db, events, signer.VerifierKey, ct);

        // Peak memory of `ledger verify` as an auditor runs it, over the ledger and over a tenth of it.
        if (VerifyChild.CliPath() is { } cli)
        {
            await CheckpointDatabaseAsync(db, ct);
            var big = await VerifyChild.RunAsync(cli, connectionString, Schema, signer.VerifierKey, ct);
            var little = await VerifyChild.RunAsync(cli, connectionString, SmallSchema, signer.VerifierKey, ct);
            foreach (var (n, o) in new[] { (events, big), (smallEvents, little) })
                Log($"ledger verify (child process) over {n:N0} events: peak RSS {o.PeakRssMb:F1} MB ({o.Method}), {o.Seconds:F1} s: {o.Output}");
            verify = verify with
            {
                PeakRssMb = CaseResult.Round(big.PeakRssMb, 1),
                PeakRssMbSmall = CaseResult.Round(little.PeakRssMb, 1),
                EventsSmall = smallEvents,
            };
        }
        else
        {
            Log("ledger verify: src/Ledger.Cli is not built in this configuration; peak RSS not measured");
        }

        return [integrate, verify, inclusion, consistency];
    }

    private async Task<CaseResult> IntegrateAsync(NpgsqlDataSource db, int events, CancellationToken ct)
    {
        var rates = new Dictionary<string, List<double>> { [Ours] = [], [Peer] = [], [Limit] = [] };
        string[] order = [Ours, Peer, Limit];
        for (var run = 1; run <= settings.IntegrityRuns; run++)
        {
            for (var t = 0; t < order.Length; t++)
            {
                var target = order[(t + run - 1) % order.Length];
                if (target == Ours) await FreshIntegrityTablesAsync(db, ct);
                await CheckpointDatabaseAsync(db, ct);
                var watch = Stopwatch.StartNew();
                long rows;
                switch (target)
                {
                    case Ours:
                        var outcome = await new MerkleIntegrator(db, Schema).IntegrateAsync(BatchSize, null, ct);
                        if (outcome.WaitingOnGap || outcome.TreeSize != events)
                            throw new InvalidOperationException($"integration stopped at {outcome.TreeSize} of {events} (waiting on a gap: {outcome.WaitingOnGap})");
                        rows = outcome.Integrated;
                        break;
                    case Peer:
                        rows = (await EventReads.EncodeAndHashAsync(db, Schema, BatchSize, ct)).Rows;
                        break;
                    default:
                        rows = (await EventReads.ReadOnlyAsync(db, Schema, BatchSize, ct)).Rows;
                        break;
                }
                watch.Stop();
                if (rows != events) throw new InvalidOperationException($"integrity.integrate {target} covered {rows} rows, not {events}");
                rates[target].Add(rows / watch.Elapsed.TotalSeconds);
                Log($"integrity.integrate {target,-5} run {run}/{settings.IntegrityRuns}: {rows:N0} rows in {watch.Elapsed.TotalSeconds,6:F2} s = {rows / watch.Elapsed.TotalSeconds,9:F0} leaves/s");
            }
        }
        return CaseResult.FromRates("integrity.integrate", "leaves/s", rates[Ours], rates[Peer], rates[Limit]) with { Events = events };
    }

    private async Task<CaseResult> VerifyAsync(NpgsqlDataSource db, int events, string verifierKey, CancellationToken ct)
    {
        var rates = new Dictionary<string, List<double>> { [Ours] = [], [Peer] = [], [Limit] = [] };
        string[] order = [Ours, Peer, Limit];
        for (var run = 1; run <= settings.IntegrityRuns; run++)
        {
            for (var t = 0; t < order.Length; t++)
            {
                var target = order[(t + run - 1) % order.Length];
                await CheckpointDatabaseAsync(db, ct);
                var watch = Stopwatch.StartNew();
                long rows;
                switch (target)
                {
                    case Ours:
                        var result = await new LedgerVerifier(db, Schema).VerifyAsync(verifierKey, null, null, ct);
                        if (!result.Valid) throw new InvalidOperationException("verify failed: " + result.Message);
                        rows = result.EventsChecked;
                        break;
                    case Peer:
                        rows = (await EventReads.EncodeAndHashAsync(db, Schema, null, ct)).Rows;
                        break;
                    default:
                        rows = (await EventReads.ReadOnlyAsync(db, Schema, null, ct)).Rows;
                        break;
                }
                watch.Stop();
                if (rows != events) throw new InvalidOperationException($"integrity.verify {target} covered {rows} rows, not {events}");
                rates[target].Add(rows / watch.Elapsed.TotalSeconds);
                Log($"integrity.verify    {target,-5} run {run}/{settings.IntegrityRuns}: {rows:N0} rows in {watch.Elapsed.TotalSeconds,6:F2} s = {rows / watch.Elapsed.TotalSeconds,9:F0} events/s");
            }
        }
        return CaseResult.FromRates("integrity.verify", "events/s", rates[Ours], rates[Peer], rates[Limit]) with { Events = events };
    }

    private delegate Task<string?> Proof(LedgerIntegrity ledger, long events, Random random, CancellationToken ct);

    // One proof; the answer is checked offline (null) or says what is wrong. The check is outside the timing.
    private async Task<CaseResult> ProofsAsync(NpgsqlDataSource db, string name, int events, LedgerIntegrity ledger, Proof proof, CancellationToken ct)
    {
        var random = new Random(name.Length * 9162);
        for (var w = 0; w < 20; w++) await proof(ledger, events, random, ct);
        var runs = new List<RunResult>();
        for (var run = 1; run <= settings.IntegrityRuns; run++)
        {
            var problems = new string?[settings.ProofsPerRun];
            await CheckpointDatabaseAsync(db, ct);
            var result = await Measurement.RunAsync(1, settings.ProofsPerRun, async (_, i) => problems[i] = await proof(ledger, events, random, ct));
            if (problems.FirstOrDefault(p => p is not null) is { } problem) throw new InvalidOperationException($"{name}: a proof does not verify: {problem}");
            runs.Add(result);
            Log($"{name} run {run}/{settings.IntegrityRuns}: {result.Operations} proofs in {result.Seconds,5:F2} s = {result.Throughput,7:F1} proofs/s, p50 {result.P50Ms,6:F2} ms, p99 {result.P99Ms,6:F2} ms");
        }
        return CaseResult.OursOnly(name, "proofs/s", runs) with { Events = events };
    }

    private static async Task<string?> Inclusion(LedgerIntegrity ledger, long events, Random random, CancellationToken ct)
    {
        var seq = random.NextInt64(1, events + 1); // seq_id 1 … N, no gaps: every one is an event
        var d = await ledger.InclusionAsync(seq, null, null, null, ct);
        var check = MerkleVerify.Inclusion(d.LeafIdx, d.TreeSize, Convert.FromBase64String(d.LeafHash), [.. d.Proof.Select(Convert.FromBase64String)], Convert.FromBase64String(d.Root));
        return check.Valid && d.Sequence == seq && d.TreeSize == events ? null : $"event {seq}: {check.Reason}";
    }

    private static async Task<string?> Consistency(LedgerIntegrity ledger, long events, Random random, CancellationToken ct)
    {
        var size1 = random.NextInt64(1, events + 1);
        var d = await ledger.ConsistencyAsync(size1, null, ct);
        var check = MerkleVerify.Consistency(d.Size1, d.Size2, Convert.FromBase64String(d.Root1), Convert.FromBase64String(d.Root2), [.. d.Proof.Select(Convert.FromBase64String)]);
        return check.Valid && d.Size2 == events ? null : $"from {size1}: {check.Reason}";
    }

    private static async Task FreshIntegrityTablesAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using (var drop = db.CreateCommand(
            $"drop table if exists \"{Schema}\".ledger_merkle_leaves, \"{Schema}\".ledger_merkle_nodes, \"{Schema}\".ledger_merkle_gaps, \"{Schema}\".ledger_merkle_state, \"{Schema}\".ledger_checkpoints"))
            await drop.ExecuteNonQueryAsync(ct);
        await IntegritySchema.EnsureAsync(db, Schema, ct);
    }

    // A PostgreSQL checkpoint before each timed run (untimed), so no run inherits the previous one's dirty pages.
    private static async Task CheckpointDatabaseAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using (var connection = await db.OpenConnectionAsync(ct))
            await BenchLedger.TryAdminAsync(connection, "checkpoint", ct);
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    private static async Task LogTreeSizeAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var size = db.CreateCommand(
            $"select pg_size_pretty(pg_total_relation_size('\"{Schema}\".ledger_merkle_leaves')), pg_size_pretty(pg_total_relation_size('\"{Schema}\".ledger_merkle_nodes'))");
        await using var reader = await size.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        Log($"stored tree: ledger_merkle_leaves {reader.GetString(0)}, ledger_merkle_nodes {reader.GetString(1)}");
    }

    private static void Log(string line) => Console.Error.WriteLine("bench: " + line);
}
