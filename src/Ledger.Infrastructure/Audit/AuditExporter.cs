using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ledger.Contracts;
using Ledger.Infrastructure.Integrity;
using Ledger.Integrity.Leaves;
using Npgsql;

namespace Ledger.Infrastructure.Audit;

/// <summary>
/// Writes an audit bundle (see <see cref="AuditBundle"/>). The events stream from one connection in
/// sequence order while their proofs come from another, so memory stays flat however many events are
/// selected. Everything is written into a hidden sibling folder that is renamed to the target only
/// when complete: a folder with the target's name is always a whole bundle.
/// </summary>
public sealed class AuditExporter(NpgsqlDataSource db, LedgerIntegrity integrity, TimeProvider time, WitnessCosigning? witnesses = null)
{
    public sealed record Outcome(string Directory, long Events, int Streams, long TreeSize, long LeftOutAfterCheckpoint);

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
    // How many events are proved together (their leaves' tree read at once); also how often progress is reported.
    private const int ProofChunk = 1000;

    /// <summary>Refuses a target that exists and is not an empty folder, before anything is read or written.</summary>
    public static void EnsureWritableTarget(string directory)
    {
        if (File.Exists(directory))
            throw new AuditBundleException($"{directory} is a file; --out names a folder that does not exist yet or is empty", badInput: true);
        if (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any())
            throw new AuditBundleException($"{directory} is not empty; --out names a folder that does not exist yet or is empty", badInput: true);
    }

    /// <summary>
    /// Writes the bundle. With <paramref name="access"/> the export is recorded in the access log: a
    /// finished bundle only once its entry is committed (else no bundle appears), a refused or failed
    /// one with its exit code.
    /// </summary>
    public async Task<Outcome> WriteAsync(ExportSelection selection, string directory, Action<long, long>? progress, CancellationToken ct,
        ExportAccess? access = null)
    {
        try
        {
            return await WriteBundleAsync(selection, directory, progress, access, ct);
        }
        catch (Exception ex) when (access is not null && ex is not AccessNotRecordedException)
        {
            var status = ex is AuditBundleException { BadInput: true } ? 2 : 1;
            try
            {
                await access.Log.RecordAsync(access.Attempt(selection, directory), status, CancellationToken.None);
            }
            catch (Exception recording) when (recording is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                throw new AuditBundleException($"{ex.Message}; the attempt could not be recorded in the access log either ({recording.Message})",
                    ex is AuditBundleException { BadInput: true });
            }
            throw;
        }
    }

    private async Task<Outcome> WriteBundleAsync(ExportSelection selection, string directory, Action<long, long>? progress, ExportAccess? access, CancellationToken ct)
    {
        var target = Path.GetFullPath(directory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        EnsureWritableTarget(target);
        if (selection is { From: { } from, To: { } to } && to < from)
            throw new AuditBundleException("--to is before --from", badInput: true);
        var parent = Path.GetDirectoryName(target) ?? throw new AuditBundleException($"{target} has no parent folder", badInput: true);
        if (!Directory.Exists(parent))
            throw new AuditBundleException($"the folder {parent} does not exist", badInput: true);

        var streams = await ResolveStreamsAsync(selection, ct);
        // Sign first, so that every selected event committed so far is covered by the checkpoint.
        await integrity.EnsureSchemaAsync(ct);
        var signed = await integrity.CheckpointAsync(ct);
        // The witnesses are asked at once, so that the bundle's checkpoint carries their cosignatures (each is
        // bounded by its timeout; one that does not answer leaves the bundle with the others').
        if (signed is not null && witnesses is { Witnesses.Count: > 0 }) await witnesses.SubmitAsync(signed, ct, force: true);

        var staging = Path.Combine(parent, $".{Path.GetFileName(target)}.partial-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            var outcome = await WriteFilesAsync(selection, streams, staging, progress, ct);
            if (access is not null) await RecordWrittenAsync(access, selection, target, ct);
            // An empty target folder is replaced; Directory.Move never merges into an existing one.
            if (Directory.Exists(target)) Directory.Delete(target);
            Directory.Move(staging, target);
            return outcome with { Directory = target };
        }
        catch
        {
            try
            {
                Directory.Delete(staging, recursive: true);
            }
            catch (IOException)
            {
                // Leave a staging folder behind rather than hide the failure that matters.
            }
            throw;
        }
    }

    private async Task<Outcome> WriteFilesAsync(ExportSelection selection, IReadOnlyList<string>? streams, string staging, Action<long, long>? progress, CancellationToken ct)
    {
        await using var prover = await InclusionProver.OpenAsync(db, integrity.Schema, ct);
        var checkpoint = prover.Checkpoint
            ?? throw new AuditBundleException("the ledger holds no events yet; there is nothing to export");

        var total = await CountAsync(selection, streams, ct);
        long written = 0, leftOut = 0;
        // Each stream's first and last version in the bundle, in order of first appearance.
        var ranges = new Dictionary<string, (long First, long Last)>(StringComparer.Ordinal);
        var files = new List<ManifestFile>();
        var whole = selection.From is null && selection.To is null;
        var commitments = whole ? new CommitmentFold() : null;

        await using (var events = new HashingFile(Path.Combine(staging, AuditBundle.Events)))
        await using (var csv = new HashingFile(Path.Combine(staging, AuditBundle.EventsCsv)))
        await using (var proofs = new HashingFile(Path.Combine(staging, AuditBundle.Proofs)))
        {
            csv.Write(Utf8.GetBytes(AuditBundle.EventsCsvHeader));
            await using var connection = await db.OpenConnectionAsync(ct);
            await using var command = SelectCommand(connection, selection, streams, count: false);
            await using var reader = await command.ExecuteReaderAsync(ct);
            long done = 0;
            // Events are proved a chunk at a time, so that neighbouring leaves share the tree's reads.
            var chunk = new List<(LeafEnvelope Envelope, long LeafIndex)>(ProofChunk);
            async Task FlushAsync()
            {
                var proven = await prover.ProveLeavesAsync([.. chunk.Select(c => (c.LeafIndex, c.Envelope.Sequence, c.Envelope.Stream, c.Envelope.Version))], ct);
                for (var i = 0; i < chunk.Count; i++)
                {
                    var envelope = chunk[i].Envelope;
                    var leaf = LeafEncoding.Encode(envelope);
                    events.Write(leaf);
                    events.Write("\n"u8);
                    commitments?.Add(leaf);
                    csv.Write(Utf8.GetBytes(CsvLine(envelope)));
                    proofs.Write(JsonSerializer.SerializeToUtf8Bytes(proven[i], AuditBundle.Json));
                    proofs.Write("\n"u8);
                    Extend(ranges, envelope, whole);
                }
                written += chunk.Count;
                chunk.Clear();
                progress?.Invoke(done, total);
            }
            while (await reader.ReadAsync(ct))
            {
                done++;
                var leafIndex = reader.IsDBNull(10) ? (long?)null : reader.GetInt64(10);
                if (leafIndex is not { } index || index >= checkpoint.TreeSize)
                {
                    leftOut++;
                    continue;
                }
                chunk.Add((EventRows.Read(reader), index));
                if (chunk.Count == ProofChunk) await FlushAsync();
            }
            await FlushAsync();
            files.Add(events.Finish(AuditBundle.Events));
            files.Add(csv.Finish(AuditBundle.EventsCsv));
            files.Add(proofs.Finish(AuditBundle.Proofs));
        }
        if (written == 0)
            throw new AuditBundleException("no events match the selection (or none is covered by a checkpoint yet)");

        await using (var note = new HashingFile(Path.Combine(staging, AuditBundle.Checkpoint)))
        {
            note.Write(Utf8.GetBytes(checkpoint.SignedNote));
            files.Add(note.Finish(AuditBundle.Checkpoint));
        }
        files.Add(commitments is null ? await WriteCommitmentsAsync(staging, streams, ct) : await WriteFoldedAsync(staging, commitments));
        if (selection.Scope == ExportScope.Government)
            files.Add(await WriteComplianceAsync(staging, selection.Id!, ct));
        files.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));

        var manifest = new BundleManifest(
            AuditBundle.Format,
            time.GetUtcNow(),
            new ManifestSelection(selection.Scope, selection.Id, selection.From, selection.To, streams),
            [.. ranges.Select(r => new ManifestStream(r.Key, r.Value.First, r.Value.Last))],
            new ManifestCounts(written, ranges.Count, leftOut),
            new ManifestCheckpoint(checkpoint.TreeSize, checkpoint.Root),
            integrity.VerifierKey,
            files);
        var manifestBytes = JsonSerializer.SerializeToUtf8Bytes(manifest, AuditBundle.IndentedJson);
        await File.WriteAllBytesAsync(Path.Combine(staging, AuditBundle.Manifest), manifestBytes, ct);
        await File.WriteAllTextAsync(Path.Combine(staging, AuditBundle.ManifestSignature),
            integrity.SignManifest(checkpoint.TreeSize, checkpoint.Root, Convert.ToHexStringLower(SHA256.HashData(manifestBytes))), Utf8, ct);
        return new Outcome(staging, written, ranges.Count, checkpoint.TreeSize, leftOut);
    }

    /// <summary>
    /// Adds an event to its stream's range. The range the manifest states must hold every version in it,
    /// so a selection that skips one (a time window over timestamps out of version order) is refused
    /// rather than written as a bundle that would not verify.
    /// </summary>
    private static void Extend(Dictionary<string, (long First, long Last)> ranges, LeafEnvelope envelope, bool whole)
    {
        if (!ranges.TryGetValue(envelope.Stream, out var range))
        {
            if (whole && envelope.Version != 1)
                throw new AuditBundleException($"{envelope.Stream} starts at version {envelope.Version} in the ledger's log, not 1");
            ranges[envelope.Stream] = (envelope.Version, envelope.Version);
            return;
        }
        if (envelope.Version != range.Last + 1)
            throw new AuditBundleException($"{envelope.Stream}: the selection holds version {envelope.Version} after {range.Last}, not a run of versions; export without --from/--to");
        ranges[envelope.Stream] = range with { Last = envelope.Version };
    }

    private static async Task RecordWrittenAsync(ExportAccess access, ExportSelection selection, string target, CancellationToken ct)
    {
        try
        {
            await access.Log.RecordAsync(access.Attempt(selection, target), 0, ct);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            // Accountability first: an export that cannot be recorded leaves no bundle behind.
            throw new AccessNotRecordedException($"the export could not be recorded in the access log ({ex.Message}); no bundle was written");
        }
    }

    /// <summary>The commitments' records folded from the bundle's own events (<see cref="CommitmentFold"/>).</summary>
    private static async Task<ManifestFile> WriteFoldedAsync(string staging, CommitmentFold commitments)
    {
        await using var file = new HashingFile(Path.Combine(staging, AuditBundle.CommitmentsCsv));
        foreach (var line in commitments.Lines()) file.Write(Utf8.GetBytes(line));
        return file.Finish(AuditBundle.CommitmentsCsv, wholeStreams: true);
    }

    /// <summary>
    /// With a time window: the compiled commitment record of every selected commitment, one row each, as it
    /// stands when the bundle is written (the version column says after which event), read row by row.
    /// </summary>
    private async Task<ManifestFile> WriteCommitmentsAsync(string staging, IReadOnlyList<string>? streams, CancellationToken ct)
    {
        await using var file = new HashingFile(Path.Combine(staging, AuditBundle.CommitmentsCsv));
        file.Write(Utf8.GetBytes(CommitmentFold.Header));
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand($"""
            select data->>'commitmentId', data->>'agreementId', data->>'leadGovernmentId', data->>'leadDepartment', data->>'resultType',
                   data->>'title', data->>'description', data->>'deadline', data->>'status',
                   (select string_agg((c->>'governmentId') || ':' || (c->>'sharePercent'), ';' order by c->>'governmentId')
                      from jsonb_array_elements(data->'contributors') c),
                   (select string_agg((m->'definition'->>'milestoneId') || ':' || (m->>'status'), ';' order by n)
                      from jsonb_array_elements(data->'milestones') with ordinality as t(m, n)),
                   data->>'completion', data->>'confidence', data->>'risk', data->>'registeredAt', data->>'lastUpdatedAt', data->>'version'
            from "{integrity.Schema}".mt_doc_commitmentrecord
            where id like 'commitment/%' {(streams is null ? "" : "and id = any(@streams)")}
            order by id
            """, connection);
        if (streams is not null) command.Parameters.AddWithValue("streams", streams.ToArray());
        await WriteRowsAsync(command, file, ct);
        return file.Finish(AuditBundle.CommitmentsCsv);
    }

    /// <summary>
    /// The government's row of the supervisors' compliance view, with the position of the views (the
    /// last event sequence they reflect) and how many events they were still behind, since they are
    /// asynchronous. Header only when the views hold no row for it yet.
    /// </summary>
    private async Task<ManifestFile> WriteComplianceAsync(string staging, string governmentId, CancellationToken ct)
    {
        await using var file = new HashingFile(Path.Combine(staging, AuditBundle.ComplianceCsv));
        file.Write(Utf8.GetBytes(string.Join(',', ComplianceColumns) + "\n"));
        var schema = integrity.Schema;
        await using var connection = await db.OpenConnectionAsync(ct);
        await using (var exists = new NpgsqlCommand($"select to_regclass('\"{schema}\".mt_doc_governmentcompliance') is not null", connection))
        {
            if (!(bool)(await exists.ExecuteScalarAsync(ct))!) return file.Finish(AuditBundle.ComplianceCsv);
        }
        await using var command = new NpgsqlCommand($"""
            with p as (select coalesce((select last_seq_id from "{schema}".mt_event_progression where name = @shard), 0) as pos)
            select d.data->>'governmentId', d.data->>'nameZh', d.data->>'nameEn', d.data->>'province', d.data->>'prefecture', d.data->>'rag',
                   d.data->>'led', d.data->>'ledActive', d.data->>'ledFulfilled', d.data->>'ledGreen', d.data->>'ledAmber', d.data->>'ledRed',
                   d.data->>'ledNotAssessed', d.data->>'participatesIn', d.data->>'itemsDue', d.data->>'itemsOnTime', d.data->>'onTimeRate',
                   d.data->>'overdueItems', d.data->>'overdueCommitments', d.data->>'openRectifications', d.data->>'rejectedRectifications',
                   d.data->>'nextRectificationDueOn', p.pos::text,
                   (select count(*) from "{schema}".mt_events e where e.seq_id > p.pos)::text
            from "{schema}".mt_doc_governmentcompliance d, p
            where d.id = @id
            """, connection);
        command.Parameters.AddWithValue("shard", Daemon.ProjectionFreshness.ShardName);
        command.Parameters.AddWithValue("id", governmentId);
        await WriteRowsAsync(command, file, ct);
        return file.Finish(AuditBundle.ComplianceCsv);
    }

    private static readonly string[] ComplianceColumns =
    [
        "government_id", "name_zh", "name_en", "province", "prefecture", "rag", "led", "led_active", "led_fulfilled", "led_green", "led_amber",
        "led_red", "led_not_assessed", "participates_in", "items_due", "items_on_time", "on_time_rate", "overdue_items", "overdue_commitments",
        "open_rectifications", "rejected_rectifications", "next_rectification_due_on", "views_position", "views_events_behind",
    ];

    /// <summary>The stream keys the selection covers, or null for the whole ledger. An unknown id is refused.</summary>
    private async Task<IReadOnlyList<string>?> ResolveStreamsAsync(ExportSelection selection, CancellationToken ct)
    {
        if (selection.Scope == ExportScope.All) return null;
        var id = selection.Id ?? throw new AuditBundleException($"a {selection.Scope.ToString().ToLowerInvariant()} id is required", badInput: true);
        var own = selection.Scope switch
        {
            ExportScope.Commitment => StreamKeys.Commitment(id),
            ExportScope.Agreement => StreamKeys.Agreement(id),
            _ => StreamKeys.Government(id),
        };
        await using var connection = await db.OpenConnectionAsync(ct);
        await using (var exists = new NpgsqlCommand($"select count(*) from \"{integrity.Schema}\".mt_streams where id = @id", connection))
        {
            exists.Parameters.AddWithValue("id", own);
            if ((long)(await exists.ExecuteScalarAsync(ct))! == 0)
                throw new AuditBundleException($"the ledger has no {selection.Scope.ToString().ToLowerInvariant()} {id}");
        }
        var streams = new List<string> { own };
        if (selection.Scope == ExportScope.Commitment) return streams;

        // The commitments come from the commitment records (the inline projection), so the bundle
        // follows the same lead/contributor/agreement facts the API shows.
        var where = selection.Scope == ExportScope.Agreement
            ? "data->>'agreementId' = @id"
            : "data->>'leadGovernmentId' = @id or data->'contributors' @> jsonb_build_array(jsonb_build_object('governmentId', @id::text))";
        await using var command = new NpgsqlCommand($"select id from \"{integrity.Schema}\".mt_doc_commitmentrecord where {where} order by id", connection);
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            streams.Add(reader.GetString(0));
        return streams;
    }

    private async Task<long> CountAsync(ExportSelection selection, IReadOnlyList<string>? streams, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var command = SelectCommand(connection, selection, streams, count: true);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    private NpgsqlCommand SelectCommand(NpgsqlConnection connection, ExportSelection selection, IReadOnlyList<string>? streams, bool count)
    {
        var schema = integrity.Schema;
        var columns = count
            ? "count(*)"
            : "e.seq_id, e.stream_id, e.version, e.type, e.timestamp, e.user_name, e.headers::text, e.correlation_id, e.causation_id, e.data::text, l.leaf_index";
        var sql = new StringBuilder($"select {columns} from \"{schema}\".mt_events e left join \"{schema}\".ledger_merkle_leaves l on l.seq_id = e.seq_id where true");
        var command = new NpgsqlCommand { Connection = connection };
        if (streams is not null)
        {
            sql.Append(" and e.stream_id = any(@streams)");
            command.Parameters.AddWithValue("streams", streams.ToArray());
        }
        TimeWindow.AppendTo(sql, command, "e.timestamp", selection.From, selection.To);
        if (!count) sql.Append(" order by e.seq_id");
        command.CommandText = sql.ToString();
        return command;
    }

    /// <summary>Every row the query returns, one CSV line each; its columns are all text, a null an empty cell.</summary>
    private static async Task WriteRowsAsync(NpgsqlCommand command, HashingFile file, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var cells = new string?[reader.FieldCount];
            for (var i = 0; i < cells.Length; i++) cells[i] = reader.IsDBNull(i) ? null : reader.GetString(i);
            file.Write(Utf8.GetBytes(string.Join(',', cells.Select(Csv)) + "\n"));
        }
    }

    private static string CsvLine(LeafEnvelope e) => AuditBundle.EventsCsvLine(e.Sequence, e.Stream, e.Version, e.Type,
        LeafEncoding.FormatTimestamp(e.Timestamp), e.ActorId, e.ActorRole, e.ActorGovernment);

    private static string Csv(string? value) => AuditBundle.Csv(value);

    /// <summary>A file written once, front to back, hashed as it is written.</summary>
    private sealed class HashingFile(string path) : IAsyncDisposable
    {
        private readonly FileStream _stream = new(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 1 << 16,
        });
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long _size;

        public void Write(ReadOnlySpan<byte> bytes)
        {
            _stream.Write(bytes);
            _hash.AppendData(bytes);
            _size += bytes.Length;
        }

        public ManifestFile Finish(string name, bool wholeStreams = false)
        {
            _stream.Flush(flushToDisk: true);
            return new ManifestFile(name, Convert.ToHexStringLower(_hash.GetHashAndReset()), _size, AuditBundle.BasisOf(name, wholeStreams));
        }

        public async ValueTask DisposeAsync()
        {
            await _stream.DisposeAsync();
            _hash.Dispose();
        }
    }
}

/// <summary>Who exports, for the access log: the entry names the verb, the selection, the output folder and this actor.</summary>
public sealed record ExportAccess(AccessLog Log, AccessActor Actor, string CorrelationId)
{
    public const string Action = "ledger export";

    /// <summary>The action the entry names: the verb, or the console's download route.</summary>
    public string As { get; init; } = Action;

    /// <summary>What the entry names as the target in place of the folder: the console names the file it sends.</summary>
    public string? Target { get; init; }

    public AccessAttempt Attempt(ExportSelection selection, string target)
    {
        var filters = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
        {
            ["scope"] = [selection.Scope.ToString().ToLowerInvariant()],
        };
        if (selection.Id is { } id) filters["id"] = [id];
        if (selection.From is { } from) filters["from"] = [from.ToString("O", CultureInfo.InvariantCulture)];
        if (selection.To is { } to) filters["to"] = [to.ToString("O", CultureInfo.InvariantCulture)];
        return new AccessAttempt(Log.Time.GetUtcNow(), Actor, As, Target ?? Path.GetFullPath(target),
            selection.Id is { } subject ? [subject] : [], filters, CorrelationId);
    }
}

/// <summary>A finished export whose access-log entry could not be written: the bundle is discarded.</summary>
public sealed class AccessNotRecordedException(string message) : AuditBundleException(message);
