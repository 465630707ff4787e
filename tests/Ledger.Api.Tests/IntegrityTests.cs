using System.Net;
using System.Text.Json;
using Ledger.Api.Tests.Support;
using Ledger.Cli;
using Ledger.Infrastructure.Audit;
using Ledger.Infrastructure.Integrity;
using Ledger.Integrity.Checkpoints;
using Ledger.Integrity.Leaves;
using Ledger.Integrity.Merkle;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Ledger.Api.Tests;

/// <summary>A host whose Merkle worker stays idle, so each test drives integration itself.</summary>
public sealed class QuietIntegrityHost : LedgerHost
{
    protected override void Customize(IWebHostBuilder builder) => builder.UseSetting("Integrity:Background", "false");

    public NpgsqlDataSource Database() => NpgsqlDataSource.Create(TestDatabase.ConnectionString);

    public LedgerIntegrity Integrity => Services.GetRequiredService<LedgerIntegrity>();

    public async Task<LedgerVerifier.Result> VerifyAsync(string? kept = null)
    {
        await using var db = Database();
        return await new LedgerVerifier(db, Schema).VerifyAsync(Integrity.VerifierKey, kept, null, CancellationToken.None);
    }

    public async Task ExecuteAsSuperuserAsync(string sql)
    {
        await using var db = Database();
        await using var command = db.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The root recomputed from the stored events alone, in memory: what an uninterrupted integration must reach.</summary>
    public async Task<(long Size, byte[] Root)> RecomputeAsync()
    {
        await using var db = Database();
        await using var connection = await db.OpenConnectionAsync();
        var frontier = new MerkleFrontier();
        await foreach (var e in EventRows.AfterAsync(connection, null, Schema, 0, null, CancellationToken.None))
            frontier.Append(Rfc9162.LeafHash(LeafEncoding.Encode(e)));
        return (frontier.Size, frontier.Root());
    }
}

public sealed class IntegrityTests : IAsyncLifetime
{
    private readonly QuietIntegrityHost _host = new();

    public async Task InitializeAsync()
    {
        await _host.InitializeAsync();
        await PilotZone.RegisterGovernmentsAsync(_host);
        await PilotZone.ActivateAgreementAsync(_host);
        await PilotZone.ActiveCommitmentAsync(_host);
    }

    public Task DisposeAsync() => _host.StopAsync();

    [Fact]
    public async Task A_proof_served_by_the_running_ledger_verifies_offline()
    {
        var signed = await _host.Client("auditor").PostAsync("/api/integrity/checkpoints", null).Ok();
        Assert.Equal(HttpStatusCode.Created, signed.StatusCode);

        var auditor = _host.Client("auditor");
        var inclusion = await auditor.GetStringAsync($"/api/integrity/proofs/inclusion?stream=commitment/{PilotZone.Commitment}&version=2");
        var consistency = await auditor.GetStringAsync("/api/integrity/proofs/consistency?from=3");
        var dir = Directory.CreateTempSubdirectory("ledger-proofs").FullName;
        await File.WriteAllTextAsync(Path.Combine(dir, "inclusion.json"), inclusion);
        await File.WriteAllTextAsync(Path.Combine(dir, "consistency.json"), consistency);
        var note = await _host.Anonymous().GetStringAsync("/api/integrity/checkpoints/latest");
        await File.WriteAllTextAsync(Path.Combine(dir, "checkpoint.txt"), note);
        var key = await _host.Anonymous().GetStringAsync("/api/integrity/public-key");

        // The proofs carry the signed checkpoints of their roots: checked against the key passed, never their own word.
        Assert.Equal(2, await LedgerCommandLine.Main(["proof", "verify", Path.Combine(dir, "inclusion.json")]));
        Assert.Equal(0, await LedgerCommandLine.Main(["proof", "verify", Path.Combine(dir, "inclusion.json"), "--key", key.Trim()]));
        Assert.Equal(0, await LedgerCommandLine.Main(["proof", "verify", Path.Combine(dir, "consistency.json"), "--key", key.Trim()]));
        Assert.Equal(0, await LedgerCommandLine.Main(["proof", "checkpoint-verify", Path.Combine(dir, "checkpoint.txt"), "--key", key.Trim()]));
        using (var stranger = CheckpointSigner.Generate("ledger.local/pilot-zone"))
            Assert.Equal(1, await LedgerCommandLine.Main(["proof", "checkpoint-verify", Path.Combine(dir, "checkpoint.txt"), "--key", stranger.VerifierKey]));

        // The proof is against the signed checkpoint's root; a forged leaf hash fails offline.
        var forged = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(inclusion)!;
        var hash = Convert.FromBase64String(forged["leafHash"].GetString()!);
        hash[0] ^= 1;
        forged["leafHash"] = JsonSerializer.SerializeToElement(Convert.ToBase64String(hash));
        await File.WriteAllTextAsync(Path.Combine(dir, "forged.json"), JsonSerializer.Serialize(forged));
        Assert.Equal(1, await LedgerCommandLine.Main(["proof", "verify", Path.Combine(dir, "forged.json"), "--key", key.Trim()]));
    }

    [Fact]
    public async Task Integration_resumes_after_a_crash_without_counting_a_leaf_twice()
    {
        await using var db = _host.Database();
        // A first integrator stops after two small batches, as if the process died there.
        await new MerkleIntegrator(db, _host.Schema).IntegrateAsync(batchSize: 3, maxBatches: 2);
        // Another is cancelled in the middle of whatever it is doing.
        using (var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(15)))
        {
            try
            {
                await new MerkleIntegrator(db, _host.Schema).IntegrateAsync(batchSize: 2, ct: cts.Token);
            }
            catch (OperationCanceledException)
            {
                // the point of the test
            }
        }
        var outcome = await new MerkleIntegrator(db, _host.Schema).IntegrateAsync();

        var (size, root) = await _host.RecomputeAsync();
        Assert.Equal(size, outcome.TreeSize);
        var (storedSize, _, storedRoot, _) = await ReadStateAsync(db);
        Assert.Equal(size, storedSize);
        Assert.Equal(Convert.ToBase64String(root), Convert.ToBase64String(storedRoot));
        Assert.Equal(size, await CountAsync(db, "ledger_merkle_leaves"));
        Assert.True((await _host.VerifyAsync()).Valid);
    }

    [Fact]
    public async Task A_changed_event_is_caught_and_named()
    {
        await _host.Integrity.CheckpointAsync(CancellationToken.None);
        var target = await EventAsync("commitment_activated.v1");

        const string field = "'{activatedBy}'";
        await _host.ExecuteAsSuperuserAsync($"""
            set session_replication_role = replica;
            update "{_host.Schema}".mt_events set data = jsonb_set(data, {field}, '"someone-else"') where seq_id = {target.Seq};
            """);

        var result = await _host.VerifyAsync();
        Assert.False(result.Valid);
        Assert.Contains($"event {target.Seq} (stream {target.Stream}, version {target.Version})", result.Message, StringComparison.Ordinal);
        Assert.Contains("changed", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deleted_event_is_caught_and_named()
    {
        await _host.Integrity.CheckpointAsync(CancellationToken.None);
        var target = await EventAsync("party_signed.v1");

        await _host.ExecuteAsSuperuserAsync($"""
            set session_replication_role = replica;
            delete from "{_host.Schema}".mt_events where seq_id = {target.Seq};
            """);

        var result = await _host.VerifyAsync();
        Assert.False(result.Valid);
        Assert.Contains($"event {target.Seq} (stream {target.Stream}, version {target.Version})", result.Message, StringComparison.Ordinal);
        Assert.Contains("deleted", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Event_rows_refuse_update_and_delete_even_for_the_owner()
    {
        var target = await EventAsync("government_registered.v1");
        var update = await Assert.ThrowsAsync<PostgresException>(() =>
            _host.ExecuteAsSuperuserAsync($"""update "{_host.Schema}".mt_events set type = 'x' where seq_id = {target.Seq}"""));
        Assert.Contains("append-only", update.MessageText, StringComparison.Ordinal);
        var delete = await Assert.ThrowsAsync<PostgresException>(() =>
            _host.ExecuteAsSuperuserAsync($"""delete from "{_host.Schema}".mt_events where seq_id = {target.Seq}"""));
        Assert.Contains("append-only", delete.MessageText, StringComparison.Ordinal);
        Assert.True((await _host.VerifyAsync()).Valid);
    }

    [Fact]
    public async Task A_gap_is_waited_out_while_its_transaction_runs_then_recorded_when_it_rolls_back()
    {
        await using var db = _host.Database();
        var integrator = new MerkleIntegrator(db, _host.Schema);
        await integrator.IntegrateAsync();

        // A transaction draws a sequence number (and has a transaction id) but has not committed.
        await using var slow = await db.OpenConnectionAsync();
        await using var tx = await slow.BeginTransactionAsync();
        await using (var draw = new NpgsqlCommand($"""select nextval('"{_host.Schema}".mt_events_sequence'), pg_current_xact_id()""", slow, tx))
            await draw.ExecuteNonQueryAsync();

        // Meanwhile a later event commits.
        await _host.Client("government", PilotZone.Liuyang).PostJsonAsync($"/api/commitments/{PilotZone.Commitment}/progress", new
        {
            reportId = "gap-1", period = "2024", asOf = "2024-12-31",
            values = new[] { new { indicatorId = "months-class-iii", value = 11 } }, narrative = "November missed Class III.",
        }).Ok();

        var waiting = await integrator.IntegrateAsync();
        Assert.True(waiting.WaitingOnGap);
        var before = waiting.TreeSize;
        await Task.Delay(MerkleIntegrator.GapGrace + TimeSpan.FromMilliseconds(200));
        Assert.True((await integrator.IntegrateAsync()).WaitingOnGap); // still in flight: never jumped

        await tx.RollbackAsync();
        await Task.Delay(MerkleIntegrator.GapGrace + TimeSpan.FromMilliseconds(200));
        var resolved = await SettledAsync(integrator);
        Assert.False(resolved.WaitingOnGap);
        Assert.Equal(before + 1, resolved.TreeSize);
        Assert.Equal(1, await CountAsync(db, "ledger_merkle_gaps"));
        var verified = await _host.VerifyAsync();
        Assert.True(verified.Valid);
        // The sequence number the rolled-back transaction drew is said to be unused, not left unexplained.
        await using var connection = await db.OpenConnectionAsync();
        await using var unused = new NpgsqlCommand($"""select max(seq_id) - count(*) from "{_host.Schema}".mt_events""", connection);
        var expected = (long)(await unused.ExecuteScalarAsync())!;
        Assert.True(expected >= 1);
        Assert.Contains($"{expected} left unused by", verified.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tombstone_the_store_writes_late_into_a_settled_gap_verifies_and_any_other_row_there_does_not()
    {
        await using var db = _host.Database();
        var integrator = new MerkleIntegrator(db, _host.Schema);
        await integrator.IntegrateAsync();
        // A sequence number drawn by a write that rolls back, then a later event: the log settles the gap.
        await using (var connection = await db.OpenConnectionAsync())
        await using (var draw = new NpgsqlCommand($"""select nextval('"{_host.Schema}".mt_events_sequence')""", connection))
            await draw.ExecuteNonQueryAsync();
        await _host.Client("government", PilotZone.Liuyang).PostJsonAsync($"/api/commitments/{PilotZone.Commitment}/progress", new
        {
            reportId = "tombstone-1", period = "2024", asOf = "2024-12-31",
            values = new[] { new { indicatorId = "months-class-iii", value = 11 } }, narrative = "After the gap.",
        }).Ok();
        await Task.Delay(MerkleIntegrator.GapGrace + TimeSpan.FromMilliseconds(200));
        await integrator.IntegrateAsync();
        await Task.Delay(MerkleIntegrator.GapGrace + TimeSpan.FromMilliseconds(200));
        Assert.False((await SettledAsync(integrator)).WaitingOnGap);
        long gap;
        await using (var connection = await db.OpenConnectionAsync())
        await using (var read = new NpgsqlCommand($"""select max(seq_id) from "{_host.Schema}".ledger_merkle_gaps""", connection))
            gap = (long)(await read.ExecuteScalarAsync())!;

        // Marten fills it afterwards with a tombstone of its own, as the chaos run saw under a fault.
        await _host.ExecuteAsSuperuserAsync($"""
            insert into "{_host.Schema}".mt_streams (id, tenant_id) select '{LedgerVerifier.TombstoneStream}', tenant_id from "{_host.Schema}".mt_streams limit 1 on conflict do nothing;
            {Insert(gap, LedgerVerifier.TombstoneStream, "tombstone")}
            """);
        var verified = await _host.VerifyAsync();
        Assert.True(verified.Valid, verified.Message);
        Assert.Contains("1 of them later filled by a tombstone of the store", verified.Message, StringComparison.Ordinal);

        // Anything else at a settled gap is an event inserted behind the ledger's back.
        await _host.ExecuteAsSuperuserAsync($"""
            set session_replication_role = replica;
            delete from "{_host.Schema}".mt_events where seq_id = {gap};
            set session_replication_role = origin;
            {Insert(gap, $"commitment/{PilotZone.Commitment}", "progress_reported.v1")}
            """);
        var tampered = await _host.VerifyAsync();
        Assert.False(tampered.Valid);
        Assert.Contains($"event {gap} (stream commitment/{PilotZone.Commitment}", tampered.Message, StringComparison.Ordinal);
        Assert.Contains("inserted behind the ledger's back", tampered.Message, StringComparison.Ordinal);

        string Insert(long seq, string stream, string type) => $"""
            insert into "{_host.Schema}".mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type)
            select {seq}, gen_random_uuid(), '{stream}', {seq}, jsonb_build_object(), '{type}', '-infinity', tenant_id, 'Marten.Events.Tombstone'
            from "{_host.Schema}".mt_events limit 1
            """;
    }

    /// <summary>
    /// Integrates until the gap has settled, for at most 15 more grace periods. Settling waits for every transaction
    /// older than the gap's sighting to end, and the other tests' transactions on the same PostgreSQL count too (an
    /// import's, say): under their load that can take a few grace periods more, never forever.
    /// </summary>
    private static async Task<MerkleIntegrator.Outcome> SettledAsync(MerkleIntegrator integrator)
    {
        var result = await integrator.IntegrateAsync();
        for (var tries = 0; result.WaitingOnGap && tries < 15; tries++)
        {
            await Task.Delay(MerkleIntegrator.GapGrace);
            result = await integrator.IntegrateAsync();
        }
        return result;
    }

    [Fact]
    public async Task Proofs_made_together_equal_the_proofs_hashed_from_the_events_alone()
    {
        for (var i = 0; i < 18; i++) await PilotZone.ActiveCommitmentAsync(_host, $"proofs-{i:D2}");
        await using var db = _host.Database();
        await new MerkleIntegrator(db, _host.Schema).IntegrateAsync();
        await _host.Integrity.CheckpointAsync(CancellationToken.None);

        // The independent answer: every leaf hash recomputed from the events, every proof hashed in memory.
        var leaves = new List<byte[]>();
        var located = new List<(long LeafIndex, long Sequence, string Stream, long Version)>();
        await using (var connection = await db.OpenConnectionAsync())
        {
            await foreach (var e in EventRows.AfterAsync(connection, null, _host.Schema, 0, null, CancellationToken.None))
            {
                located.Add((leaves.Count, e.Sequence, e.Stream, e.Version));
                leaves.Add(Rfc9162.LeafHash(LeafEncoding.Encode(e)));
            }
        }
        var memory = new MemoryMerkleHashes(leaves);
        var size = leaves.Count;
        Assert.True(size > 100 && (size & (size - 1)) != 0, $"a tree of {size} leaves: the test wants a ragged right edge");
        var root = Convert.ToBase64String(await MerkleReader.RootAsync(memory, size));

        await using var prover = await InclusionProver.OpenAsync(db, _host.Schema, CancellationToken.None);
        Assert.Equal(size, prover.Checkpoint!.TreeSize);
        // The whole ledger, chunks that end mid-subtree, a sparse pick (no prefetch), the last leaf, the middle.
        List<(long, long, string, long)>[] selections =
        [
            located, located[..37], located[37..], [.. located.Where((_, i) => i % 7 == 3)], [located[^1]], located[(size / 2 - 5)..(size / 2 + 5)],
        ];
        foreach (var selection in selections)
        {
            var proofs = await prover.ProveLeavesAsync(selection, CancellationToken.None);
            Assert.Equal(selection.Count, proofs.Count);
            for (var i = 0; i < selection.Count; i++)
            {
                var (index, sequence, _, _) = selection[i];
                var expected = await MerkleReader.InclusionProofAsync(memory, index, size);
                Assert.Equal(expected.Select(Convert.ToBase64String), proofs[i].Proof);
                Assert.Equal(Convert.ToBase64String(leaves[(int)index]), proofs[i].LeafHash);
                Assert.Equal(index, proofs[i].LeafIdx);
                Assert.Equal(sequence, proofs[i].Sequence);
                Assert.Equal(root, proofs[i].Root);
            }
        }
    }

    private async Task<(long Seq, string Stream, long Version)> EventAsync(string type)
    {
        await using var db = _host.Database();
        await using var command = db.CreateCommand($"""select seq_id, stream_id, version from "{_host.Schema}".mt_events where type = '{type}' order by seq_id limit 1""");
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2));
    }

    private async Task<(long Size, long LastSeq, byte[] Root, DateTimeOffset At)> ReadStateAsync(NpgsqlDataSource db)
    {
        await using var command = db.CreateCommand($"""select tree_size, last_seq, root, updated_at from "{_host.Schema}".ledger_merkle_state""");
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.GetInt64(0), reader.GetInt64(1), (byte[])reader[2], reader.GetFieldValue<DateTimeOffset>(3));
    }

    private async Task<long> CountAsync(NpgsqlDataSource db, string table)
    {
        await using var command = db.CreateCommand($"""select count(*) from "{_host.Schema}".{table}""");
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
