using System.Text.Json;
using JasperFx.Events;
using Ledger.Contracts;
using Ledger.Infrastructure.Integrity;
using Ledger.Projections;
using Marten;
using Npgsql;

namespace Ledger.Infrastructure.Audit;

/// <summary>
/// One event of a replayed history: the envelope, and with proofs asked for its inclusion proof.
/// The status is <c>included</c> (the proof is against the history's checkpoint), <c>not_yet_checkpointed</c>
/// (no signed checkpoint covers the event yet, so the proof is null) or <c>not_requested</c>.
/// </summary>
public sealed record AuditEvent(EventEnvelope Event, InclusionProofDocument? Proof, string ProofStatus);

/// <summary>A stream's history as selected, with the checkpoint the proofs end at when proofs were asked for.</summary>
public sealed record AuditHistory(string Stream, int Count, AuditCheckpoint? Checkpoint, IReadOnlyList<AuditEvent> Events);

public sealed record AuditCheckpoint(long TreeSize, string Root, DateTimeOffset CreatedAt, string SignedNote);

/// <summary>
/// The commitment record as it stood after <see cref="Version"/>, the last event at or before the requested
/// point, each of its fields' versions up to then (folded with it; the stored record keeps none), and every
/// act made on it by then (the record keeps only the open ones and the latest few).
/// </summary>
public sealed record CommitmentAsOf(
    string CommitmentId, long Version, long Sequence, DateTimeOffset Timestamp, DateTimeOffset? At, CommitmentRecord Record,
    IReadOnlyDictionary<string, List<FieldVersion>> History, CommitmentActs Acts);

/// <summary>One version of one field of the commitment record: its value once the event at <see cref="Version"/> was applied.</summary>
public sealed record FieldHistoryEntry(string Field, JsonElement? Value, long Version, DateTimeOffset At, string Event);

/// <summary>A page of a commitment's field history in stream order; <see cref="Next"/> is the version to ask after for the next page (null on the last).</summary>
public sealed record FieldHistoryPage(string CommitmentId, long Version, IReadOnlyList<FieldHistoryEntry> Items, long? Next);

/// <summary>Which fields differ between the record at <see cref="From"/> and at <see cref="To"/>.</summary>
public sealed record CommitmentDiff(string CommitmentId, DateTimeOffset From, DateTimeOffset To, long? VersionAtFrom, long? VersionAtTo, IReadOnlyList<FieldChange> Changes);

/// <summary>One field's value at each end (null where it had none yet) and the events between that changed it.</summary>
public sealed record FieldChange(string Field, JsonElement? From, JsonElement? To, IReadOnlyList<ChangingEvent> Events);

public sealed record ChangingEvent(long Sequence, long Version, string Type, DateTimeOffset Timestamp, EnvelopeActor Actor, JsonElement? Value);

/// <summary>
/// Replaying the past for auditors, the same for the API (/api/audit/…) and the console's history
/// pages: a stream's events with their envelopes and inclusion proofs, a commitment record as it was
/// at a time or version, and which of its fields changed between two times.
/// </summary>
public static class AuditReplay
{
    public const string Included = "included";
    public const string NotYetCheckpointed = "not_yet_checkpointed";
    public const string NotRequested = "not_requested";

    private static readonly HashSet<string> KnownTypes = [.. EventNames.TypesByName.Keys];

    /// <summary>
    /// A stream's events between <paramref name="start"/> and <paramref name="end"/> (both inclusive), of the
    /// stored types named (all when none), with their inclusion proofs against the latest signed checkpoint
    /// when <paramref name="withProofs"/>. An unknown type or stream is refused.
    /// </summary>
    public static async Task<AuditHistory> HistoryAsync(IQuerySession session, Func<CancellationToken, Task<InclusionProver>> openProver,
        string streamKey, string notFoundCode, string what, DateTimeOffset? start, DateTimeOffset? end, IEnumerable<string>? types, bool withProofs,
        CancellationToken ct)
    {
        var wanted = (types ?? []).Where(t => !string.IsNullOrWhiteSpace(t)).ToHashSet(StringComparer.Ordinal);
        if (wanted.FirstOrDefault(t => !KnownTypes.Contains(t)) is { } unknown)
            throw new AuditRequestException(400, "unknown_event_type", $"'{unknown}' is not a stored event name (e.g. progress_reported.v1).", "type");

        var events = await session.Events.FetchStreamAsync(streamKey, token: ct);
        if (events.Count == 0)
            throw new AuditRequestException(404, notFoundCode, $"{what} does not exist.");
        var selected = events
            .Where(e => (start is null || e.Timestamp >= start) && (end is null || e.Timestamp <= end)
                && (wanted.Count == 0 || wanted.Contains(e.EventTypeName)))
            .ToList();

        if (!withProofs)
            return new AuditHistory(streamKey, selected.Count, null, [.. selected.Select(e => new AuditEvent(EventEnvelope.From(e), null, NotRequested))]);

        await using var prover = await openProver(ct);
        var proven = new List<AuditEvent>(selected.Count);
        foreach (var e in selected)
        {
            var proof = await prover.ProveAsync(e.Sequence, ct);
            proven.Add(new AuditEvent(EventEnvelope.From(e), proof, proof is null ? NotYetCheckpointed : Included));
        }
        var checkpoint = prover.Checkpoint is { } c ? new AuditCheckpoint(c.TreeSize, c.Root, c.CreatedAt, c.SignedNote) : null;
        return new AuditHistory(streamKey, proven.Count, checkpoint, proven);
    }

    /// <summary>Opens a prover on the integrity tables (one repeatable-read transaction, one checkpoint for every proof).</summary>
    public static Func<CancellationToken, Task<InclusionProver>> Prover(NpgsqlDataSource integrityDb, string schema) =>
        ct => InclusionProver.OpenAsync(integrityDb, schema, ct);

    /// <summary>
    /// The commitment record as it was after the last event at or before <paramref name="at"/>, or after
    /// stream version <paramref name="version"/>; give one. Replayed through the record's own projection.
    /// </summary>
    public static async Task<CommitmentAsOf> AsOfAsync(IQuerySession session, string commitmentId, DateTimeOffset? at, long? version, CancellationToken ct)
    {
        if (at is null == version is null)
            throw new AuditRequestException(400, "at_or_version", "Give exactly one of 'at' (a time) or 'version' (a stream version).", "at");
        var streamKey = StreamKeys.Commitment(commitmentId);
        // Only the one event the replay stops at is looked up here; the replay itself reads the stream
        // once (reading it whole first cost a second full read of a long history: measured).
        var state = await session.Events.FetchStreamStateAsync(streamKey, ct)
            ?? throw new AuditRequestException(404, "commitment_not_found", $"Commitment {commitmentId} does not exist.");
        var rows = session.Events.QueryAllRawEvents().Where(e => e.StreamKey == streamKey);

        IEvent? last;
        if (version is { } v)
        {
            last = v > state.Version ? null : await rows.Where(e => e.Version == v).FirstOrDefaultAsync(ct);
            if (last is null)
                throw new AuditRequestException(422, "version_out_of_range", $"Commitment {commitmentId} has versions 1 to {state.Version}.", "version");
        }
        else
        {
            var until = at!.Value.ToUniversalTime();
            last = await rows.Where(e => e.Timestamp <= until).OrderByDescending(e => e.Version).FirstOrDefaultAsync(ct);
            if (last is null)
            {
                var first = await rows.OrderBy(e => e.Version).FirstAsync(ct);
                throw new AuditRequestException(404, "not_yet_recorded", $"Commitment {commitmentId} was first recorded at {first.Timestamp:O}, after 'at'.", "at");
            }
        }

        // The stream is read once, up to that event, and folded by the projections registered for the record
        // and the acts, so the replay runs the very Create/Apply methods that built the stored documents.
        var events = await session.Events.FetchStreamAsync(streamKey, version: last.Version, token: ct);
        var record = await ((DocumentStore)session.DocumentStore).Options.Projections.AggregatorFor<CommitmentRecord>().BuildAsync(events, session, null, ct)
            ?? throw new InvalidOperationException($"replaying {streamKey} to version {last.Version} produced no record");
        return new CommitmentAsOf(commitmentId, last.Version, last.Sequence, last.Timestamp, at, record, record.History ?? [],
            CommitmentActs.Of(CommitmentActRecord.Fold(events)));
    }

    /// <summary>
    /// The commitment record folded from <paramref name="events"/> (its stream, from the first event) by the
    /// record's own projection, with each field's versions: for a reader that has the events already.
    /// </summary>
    public static async Task<CommitmentRecord?> FoldRecordAsync(IQuerySession session, IReadOnlyList<IEvent> events, CancellationToken ct) =>
        events.Count == 0 ? null
            : await ((DocumentStore)session.DocumentStore).Options.Projections.AggregatorFor<CommitmentRecord>().BuildAsync(events, session, null, ct);

    public const int DefaultHistoryLimit = 200;
    public const int MaxHistoryLimit = 1_000;

    /// <summary>
    /// The commitment's field history, folded from its events through the record's own projection: the
    /// versions after stream version <paramref name="after"/> in stream order (of <paramref name="field"/>
    /// alone when given), a page of about <paramref name="limit"/> that never splits one event's changes.
    /// </summary>
    public static async Task<FieldHistoryPage> FieldHistoryAsync(IQuerySession session, string commitmentId, string? field, long after, int limit, CancellationToken ct)
    {
        if (after < 0)
            throw new AuditRequestException(400, "invalid_number", "'after' must be a whole number, 0 or more.", "after");
        if (limit is < 1 or > MaxHistoryLimit)
            throw new AuditRequestException(400, "limit_out_of_range", $"'limit' must be between 1 and {MaxHistoryLimit}.", "limit");
        var record = await session.Events.AggregateStreamAsync<CommitmentRecord>(StreamKeys.Commitment(commitmentId), token: ct)
            ?? throw new AuditRequestException(404, "commitment_not_found", $"Commitment {commitmentId} does not exist.");
        var versions = (record.History ?? [])
            .Where(h => field is null || h.Key == field)
            .SelectMany(h => h.Value.Where(v => v.Version > after).Select(v => new FieldHistoryEntry(h.Key, v.Value, v.Version, v.At, v.Event)))
            .OrderBy(v => v.Version).ThenBy(v => v.Field, StringComparer.Ordinal)
            .ToList();
        var page = new List<FieldHistoryEntry>();
        foreach (var v in versions)
        {
            if (page.Count >= limit && v.Version != page[^1].Version) break;
            page.Add(v);
        }
        var next = page.Count < versions.Count ? page[^1].Version : (long?)null;
        return new FieldHistoryPage(commitmentId, record.Version, page, next);
    }

    /// <summary>Which fields of the commitment record differ between <paramref name="t1"/> and <paramref name="t2"/>, from what to what, and by which events.</summary>
    public static async Task<CommitmentDiff> DiffAsync(IQuerySession session, string commitmentId, DateTimeOffset t1, DateTimeOffset t2, CancellationToken ct)
    {
        if (t2 < t1)
            throw new AuditRequestException(422, "range_inverted", "'to' is before 'from'.", "to");
        var streamKey = StreamKeys.Commitment(commitmentId);
        var stream = await session.Events.FetchStreamAsync(streamKey, token: ct);
        var history = (await FoldRecordAsync(session, stream, ct)
            ?? throw new AuditRequestException(404, "commitment_not_found", $"Commitment {commitmentId} does not exist.")).History ?? [];
        var events = stream.ToDictionary(e => e.Version);

        // The history, folded from these very events, holds each field's successive values with the stream
        // version that set them and that event's stored time (the one its Merkle leaf carries, which the
        // as-of replay goes by); a value repeated by a later event is not recorded again. So the value a
        // field showed at a time is its last version at or before that time.
        var changes = new List<FieldChange>();
        foreach (var (field, versions) in history.OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            var before = versions.LastOrDefault(v => v.At <= t1);
            var after = versions.LastOrDefault(v => v.At <= t2);
            if (before == after || (before is not null && after is not null && FieldVersion.Same(before.Value, after.Value))) continue;
            var between = versions.Where(v => v.At > t1 && v.At <= t2)
                .Select(v => (Version: v, Event: events[v.Version]))
                .Select(x => new ChangingEvent(x.Event.Sequence, x.Event.Version, x.Event.EventTypeName, x.Event.Timestamp, EnvelopeActor.Of(x.Event), x.Version.Value))
                .ToList();
            changes.Add(new FieldChange(field, before?.Value, after?.Value, between));
        }
        var versionAt = (DateTimeOffset t) => events.Values.Where(e => e.Timestamp <= t).Select(e => (long?)e.Version).Max();
        return new CommitmentDiff(commitmentId, t1, t2, versionAt(t1), versionAt(t2), changes);
    }
}
