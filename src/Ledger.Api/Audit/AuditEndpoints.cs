using System.Text.Json;
using JasperFx.Events;
using Ledger.Api.Http;
using Ledger.Api.OpenApi;
using Ledger.Contracts;
using Ledger.Infrastructure.Audit;
using Ledger.Infrastructure.Integrity;
using Ledger.Projections;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Ledger.Api.Audit;

/// <summary>
/// One event of a replayed history: the envelope, and with <c>proofs=true</c> its inclusion proof.
/// The status is <c>included</c> (the proof is against the history's checkpoint), <c>not_yet_checkpointed</c>
/// (no signed checkpoint covers the event yet, so the proof is null) or <c>not_requested</c>.
/// </summary>
public sealed record AuditEvent(EventEnvelope Event, InclusionProofDocument? Proof, string ProofStatus);

/// <summary>A stream's history as selected, with the checkpoint the proofs end at when proofs were asked for.</summary>
public sealed record AuditHistory(string Stream, int Count, AuditCheckpoint? Checkpoint, IReadOnlyList<AuditEvent> Events);

public sealed record AuditCheckpoint(long TreeSize, string Root, DateTimeOffset CreatedAt, string SignedNote);

/// <summary>The commitment record as it stood after <see cref="Version"/>, the last event at or before the requested point.</summary>
public sealed record CommitmentAsOf(string CommitmentId, long Version, long Sequence, DateTimeOffset Timestamp, DateTimeOffset? At, CommitmentRecord Record);

/// <summary>Which fields differ between the record at <see cref="From"/> and at <see cref="To"/>.</summary>
public sealed record CommitmentDiff(string CommitmentId, DateTimeOffset From, DateTimeOffset To, long? VersionAtFrom, long? VersionAtTo, IReadOnlyList<FieldChange> Changes);

/// <summary>One field's value at each end (null where it had none yet) and the events between that changed it.</summary>
public sealed record FieldChange(string Field, JsonElement? From, JsonElement? To, IReadOnlyList<ChangingEvent> Events);

public sealed record ChangingEvent(long Sequence, long Version, string Type, DateTimeOffset Timestamp, EnvelopeActor Actor, JsonElement? Value);

public static class AuditEndpoints
{
    public const string Included = "included";
    public const string NotYetCheckpointed = "not_yet_checkpointed";
    public const string NotRequested = "not_requested";

    private static readonly HashSet<string> KnownTypes = [.. EventNames.All.Values];

    public static RouteGroupBuilder MapAuditEndpoints(this IEndpointRouteBuilder app)
    {
        // Every read here replays the past.
        var group = app.MapGroup("/api/audit").WithTags("Audit").RequireAuthorization(Policies.Reader).WithStandardResponses().IsReplay();
        group.MapGet("/commitments/{commitmentId}/events", CommitmentEvents).Produces<AuditHistory>()
            .WithName("ReplayCommitment").WithSummary("A commitment's events with envelopes; filter by from/to/type, add inclusion proofs with proofs=true.");
        group.MapGet("/agreements/{agreementId}/events", AgreementEvents).Produces<AuditHistory>()
            .WithName("ReplayAgreement").WithSummary("An agreement's events with envelopes; filter by from/to/type, add inclusion proofs with proofs=true.");
        group.MapGet("/governments/{governmentId}/events", GovernmentEvents).Produces<AuditHistory>()
            .WithName("ReplayGovernment").WithSummary("A government's events with envelopes; filter by from/to/type, add inclusion proofs with proofs=true.");
        group.MapGet("/commitments/{commitmentId}/as-of", AsOf).Produces<CommitmentAsOf>()
            .WithName("CommitmentAsOf").WithSummary("The commitment record as it was at a time (at) or a stream version (version), replayed through its projection.");
        group.MapGet("/commitments/{commitmentId}/diff", Diff).Produces<CommitmentDiff>()
            .WithName("CommitmentDiff").WithSummary("Which fields of the commitment record changed between two times, from what to what, and by which events.");
        return group;
    }

    public static Task<IResult> CommitmentEvents(string commitmentId, HttpContext http, IQuerySession session, string? from, string? to,
        [FromQuery(Name = "type")] string[]? type, string? proofs) =>
        HistoryAsync(http, session, StreamKeys.Commitment(commitmentId), "commitment_not_found", $"Commitment {commitmentId}", from, to, type, proofs);

    public static Task<IResult> AgreementEvents(string agreementId, HttpContext http, IQuerySession session, string? from, string? to,
        [FromQuery(Name = "type")] string[]? type, string? proofs) =>
        HistoryAsync(http, session, StreamKeys.Agreement(agreementId), "agreement_not_found", $"Agreement {agreementId}", from, to, type, proofs);

    public static Task<IResult> GovernmentEvents(string governmentId, HttpContext http, IQuerySession session, string? from, string? to,
        [FromQuery(Name = "type")] string[]? type, string? proofs) =>
        HistoryAsync(http, session, StreamKeys.Government(governmentId), "government_not_found", $"Government {governmentId}", from, to, type, proofs);

    private static async Task<IResult> HistoryAsync(HttpContext http, IQuerySession session, string streamKey, string notFoundCode, string what,
        string? from, string? to, string[]? types, string? proofs)
    {
        var ct = http.RequestAborted;
        var (start, end) = AuditQuery.Range(from, to, Now(http));
        var withProofs = AuditQuery.Flag(proofs, "proofs");
        var wanted = (types ?? []).Where(t => !string.IsNullOrWhiteSpace(t)).ToHashSet(StringComparer.Ordinal);
        if (wanted.FirstOrDefault(t => !KnownTypes.Contains(t)) is { } unknown)
            throw new RequestRejected(StatusCodes.Status400BadRequest, "unknown_event_type",
                $"'{unknown}' is not a stored event name (e.g. progress_reported.v1).", "type");

        var events = await session.Events.FetchStreamAsync(streamKey, token: ct);
        if (events.Count == 0)
            throw new RequestRejected(StatusCodes.Status404NotFound, notFoundCode, $"{what} does not exist.");
        var selected = events
            .Where(e => (start is null || e.Timestamp >= start) && (end is null || e.Timestamp <= end)
                && (wanted.Count == 0 || wanted.Contains(e.EventTypeName)))
            .ToList();

        if (!withProofs)
            return TypedResults.Ok(new AuditHistory(streamKey, selected.Count, null,
                [.. selected.Select(e => new AuditEvent(EventHistory.ToEnvelope(e), null, NotRequested))]));

        var integrity = http.RequestServices.GetRequiredService<LedgerIntegrity>();
        var db = http.RequestServices.GetRequiredKeyedService<NpgsqlDataSource>("ledger-integrity");
        await using var prover = await InclusionProver.OpenAsync(db, integrity.Schema, ct);
        var proven = new List<AuditEvent>(selected.Count);
        foreach (var e in selected)
        {
            var proof = await prover.ProveAsync(e.Sequence, ct);
            proven.Add(new AuditEvent(EventHistory.ToEnvelope(e), proof, proof is null ? NotYetCheckpointed : Included));
        }
        var checkpoint = prover.Checkpoint is { } c ? new AuditCheckpoint(c.TreeSize, c.Root, c.CreatedAt, c.SignedNote) : null;
        return TypedResults.Ok(new AuditHistory(streamKey, proven.Count, checkpoint, proven));
    }

    public static async Task<IResult> AsOf(string commitmentId, HttpContext http, IQuerySession session, string? at, string? version)
    {
        var ct = http.RequestAborted;
        if (string.IsNullOrWhiteSpace(at) == string.IsNullOrWhiteSpace(version))
            throw new RequestRejected(StatusCodes.Status400BadRequest, "at_or_version", "Give exactly one of 'at' (a time) or 'version' (a stream version).", "at");
        var time = AuditQuery.Time(at, "at", Now(http));
        var wantedVersion = AuditQuery.Version(version);

        var streamKey = StreamKeys.Commitment(commitmentId);
        // Only the one event the replay stops at is looked up here; the replay itself reads the stream
        // once (reading it whole first cost a second full read of a long history: measured).
        var state = await session.Events.FetchStreamStateAsync(streamKey, ct)
            ?? throw new RequestRejected(StatusCodes.Status404NotFound, "commitment_not_found", $"Commitment {commitmentId} does not exist.");
        var rows = session.Events.QueryAllRawEvents().Where(e => e.StreamKey == streamKey);

        IEvent? last;
        if (wantedVersion is { } v)
        {
            last = v > state.Version ? null : await rows.Where(e => e.Version == v).FirstOrDefaultAsync(ct);
            if (last is null)
                throw new RequestRejected(StatusCodes.Status422UnprocessableEntity, "version_out_of_range",
                    $"Commitment {commitmentId} has versions 1 to {state.Version}.", "version");
        }
        else
        {
            var until = time!.Value.ToUniversalTime();
            last = await rows.Where(e => e.Timestamp <= until).OrderByDescending(e => e.Version).FirstOrDefaultAsync(ct);
            if (last is null)
            {
                var first = await rows.OrderBy(e => e.Version).FirstAsync(ct);
                throw new RequestRejected(StatusCodes.Status404NotFound, "not_yet_recorded",
                    $"Commitment {commitmentId} was first recorded at {first.Timestamp:O}, after 'at'.", "at");
            }
        }

        // Marten aggregates with the projection registered for CommitmentRecord, so the replay runs the
        // very Create/Apply methods that built the stored record.
        var record = await session.Events.AggregateStreamAsync<CommitmentRecord>(streamKey, version: last.Version, token: ct)
            ?? throw new InvalidOperationException($"replaying {streamKey} to version {last.Version} produced no record");
        return TypedResults.Ok(new CommitmentAsOf(commitmentId, last.Version, last.Sequence, last.Timestamp, time, record));
    }

    public static async Task<IResult> Diff(string commitmentId, HttpContext http, IQuerySession session, string? from, string? to)
    {
        var ct = http.RequestAborted;
        var now = Now(http);
        if (string.IsNullOrWhiteSpace(from))
            throw new RequestRejected(StatusCodes.Status400BadRequest, "field_required", "'from' (the earlier time) is required.", "from");
        var (start, end) = AuditQuery.Range(from, to, now);
        var t1 = start!.Value;
        var t2 = end ?? now;
        if (t2 < t1)
            throw new RequestRejected(StatusCodes.Status422UnprocessableEntity, "range_inverted", "'to' is before 'from'.", "to");

        var streamKey = StreamKeys.Commitment(commitmentId);
        var record = await session.LoadAsync<CommitmentRecord>(streamKey, ct)
            ?? throw new RequestRejected(StatusCodes.Status404NotFound, "commitment_not_found", $"Commitment {commitmentId} does not exist.");
        var events = (await session.Events.FetchStreamAsync(streamKey, token: ct)).ToDictionary(e => e.Version);

        // The record's history holds each field's successive values with the stream version that set
        // them (a value repeated by a later event is not recorded again), so the value a field showed
        // at a time is its last version at or before that time. Times are the stored events' own (the
        // ones the Merkle leaves carry), the same the as-of replay goes by.
        DateTimeOffset Stamp(FieldVersion v) => events.TryGetValue(v.Version, out var e) ? e.Timestamp : v.At;
        var changes = new List<FieldChange>();
        foreach (var (field, versions) in record.History.OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            var before = versions.LastOrDefault(v => Stamp(v) <= t1);
            var after = versions.LastOrDefault(v => Stamp(v) <= t2);
            if (before == after || (before is not null && after is not null && FieldVersion.Same(before.Value, after.Value))) continue;
            var between = versions.Where(v => Stamp(v) > t1 && Stamp(v) <= t2)
                .Select(v => events.TryGetValue(v.Version, out var e)
                    ? new ChangingEvent(e.Sequence, e.Version, e.EventTypeName, e.Timestamp, EventHistory.ToEnvelope(e).Actor, v.Value)
                    : new ChangingEvent(0, v.Version, v.Event, v.At, new EnvelopeActor(null, null, null), v.Value))
                .ToList();
            changes.Add(new FieldChange(field, before?.Value, after?.Value, between));
        }
        var versionAt = (DateTimeOffset t) => events.Values.Where(e => e.Timestamp <= t).Select(e => (long?)e.Version).Max();
        return TypedResults.Ok(new CommitmentDiff(commitmentId, t1, t2, versionAt(t1), versionAt(t2), changes));
    }

    private static DateTimeOffset Now(HttpContext http) => http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
}
