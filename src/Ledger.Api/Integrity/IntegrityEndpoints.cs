using Ledger.Api.Http;
using Ledger.Infrastructure.Integrity;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ledger.Api.Integrity;

public static class IntegrityEndpoints
{
    public static RouteGroupBuilder MapIntegrityEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/integrity").WithTags("Integrity");
        // The public key and the checkpoints are public: anyone may keep a checkpoint and check it later.
        group.MapGet("/public-key", PublicKey).AllowAnonymous();
        group.MapGet("/checkpoints", Checkpoints).AllowAnonymous();
        group.MapGet("/checkpoints/latest", Latest).AllowAnonymous();
        group.MapPost("/checkpoints", Sign).RequireAuthorization(Policies.Reader);
        group.MapGet("/status", Status).RequireAuthorization(Policies.Reader);
        group.MapGet("/proofs/inclusion", Inclusion).RequireAuthorization(Policies.Reader);
        group.MapGet("/proofs/consistency", Consistency).RequireAuthorization(Policies.Reader);
        return group;
    }

    /// <summary>The checkpoint signer's key in the signed-note verifier format (name+hash+base64 key).</summary>
    public static ContentHttpResult PublicKey(LedgerIntegrity integrity) => TypedResults.Text(integrity.VerifierKey + "\n", "text/plain");

    public static async Task<Ok<IReadOnlyList<StoredCheckpoint>>> Checkpoints(LedgerIntegrity integrity, int? limit, long? before, CancellationToken ct)
    {
        if (limit is < 1 or > 1000)
            throw new RequestRejected(400, "invalid_limit", "'limit' must be between 1 and 1000.", "limit");
        return TypedResults.Ok(await integrity.ListAsync(limit ?? 100, ct, before));
    }

    /// <summary>The latest signed checkpoint as the C2SP signed note itself, ready to keep.</summary>
    public static async Task<ContentHttpResult> Latest(LedgerIntegrity integrity, CancellationToken ct)
    {
        var latest = (await integrity.ListAsync(1, ct)).FirstOrDefault()
            ?? throw new RequestRejected(404, "no_checkpoint", "No checkpoint has been signed yet.");
        return TypedResults.Text(latest.SignedNote, "text/plain; charset=utf-8");
    }

    /// <summary>Signs a checkpoint now and asks every witness to cosign it at once (each bounded by its timeout); the answer carries the cosignatures that came.</summary>
    public static async Task<Created<StoredCheckpoint>> Sign(LedgerIntegrity integrity, WitnessCosigning cosigning, CancellationToken ct)
    {
        var checkpoint = await integrity.CheckpointAsync(ct)
            ?? throw new RequestRejected(409, "empty_log", "The ledger holds no events yet; there is nothing to sign.");
        if (cosigning.Witnesses.Count > 0 && (await cosigning.SubmitAsync(checkpoint, ct, force: true)).Count > 0)
            checkpoint = await integrity.CheckpointAtAsync(checkpoint.TreeSize, ct) ?? checkpoint;
        return TypedResults.Created($"/api/integrity/checkpoints?before={checkpoint.TreeSize + 1}&limit=1", checkpoint);
    }

    public static async Task<Ok<IntegrityStatusResponse>> Status(LedgerIntegrity integrity, WitnessCosigning cosigning, TimeProvider time, CancellationToken ct)
    {
        var (size, lastSeq, behind, latest) = await integrity.StatusAsync(ct);
        return TypedResults.Ok(new IntegrityStatusResponse(
            size, lastSeq, behind, latest,
            latest is null ? null : Math.Round((time.GetUtcNow() - latest.CreatedAt).TotalSeconds, 1),
            cosigning.Status()));
    }

    public static async Task<Ok<InclusionProofDocument>> Inclusion(LedgerIntegrity integrity, long? sequence, string? stream, long? version, long? treeSize, CancellationToken ct)
    {
        if (sequence is null && (stream is null || version is null))
            throw new RequestRejected(400, "event_required", "Name the event by 'sequence', or by 'stream' and 'version'.", "sequence");
        return TypedResults.Ok(await Guard(() => integrity.InclusionAsync(sequence, stream, version, treeSize, ct)));
    }

    public static async Task<Ok<ConsistencyProofDocument>> Consistency(LedgerIntegrity integrity, long? from, long? to, CancellationToken ct)
    {
        if (from is null)
            throw new RequestRejected(400, "field_required", "'from' (the size of the older tree) is required.", "from");
        return TypedResults.Ok(await Guard(() => integrity.ConsistencyAsync(from.Value, to, ct)));
    }

    private static async Task<T> Guard<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (IntegrityRequestException e)
        {
            throw new RequestRejected(e.NotFound ? 404 : 422, e.Code, e.Message, e.Field);
        }
    }
}

/// <summary>
/// The Merkle log's status: its size, the last sequence in it, the events not yet in it, its latest checkpoint
/// and that checkpoint's age in seconds (null before the first), and each witness's standing.
/// </summary>
public sealed record IntegrityStatusResponse(
    long TreeSize, long LastSequence, long EventsNotYetIntegrated, StoredCheckpoint? LatestCheckpoint, double? CheckpointAgeSeconds,
    IReadOnlyList<WitnessStatus> Witnesses);
