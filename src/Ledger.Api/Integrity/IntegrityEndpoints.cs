using Ledger.Api.Http;
using Ledger.Infrastructure.Integrity;

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
    public static IResult PublicKey(LedgerIntegrity integrity) => TypedResults.Text(integrity.VerifierKey + "\n", "text/plain");

    public static async Task<IResult> Checkpoints(LedgerIntegrity integrity, int? limit, long? before, CancellationToken ct)
    {
        if (limit is < 1 or > 1000)
            throw new RequestRejected(400, "invalid_limit", "'limit' must be between 1 and 1000.", "limit");
        return TypedResults.Ok(await integrity.ListAsync(limit ?? 100, ct, before));
    }

    /// <summary>The latest signed checkpoint as the C2SP signed note itself, ready to keep.</summary>
    public static async Task<IResult> Latest(LedgerIntegrity integrity, CancellationToken ct)
    {
        var latest = (await integrity.ListAsync(1, ct)).FirstOrDefault()
            ?? throw new RequestRejected(404, "no_checkpoint", "No checkpoint has been signed yet.");
        return TypedResults.Text(latest.SignedNote, "text/plain; charset=utf-8");
    }

    /// <summary>Signs a checkpoint now and asks every witness to cosign it at once (each bounded by its timeout); the answer carries the cosignatures that came.</summary>
    public static async Task<IResult> Sign(LedgerIntegrity integrity, WitnessCosigning cosigning, CancellationToken ct)
    {
        var checkpoint = await integrity.CheckpointAsync(ct)
            ?? throw new RequestRejected(409, "empty_log", "The ledger holds no events yet; there is nothing to sign.");
        if (cosigning.Witnesses.Count > 0 && (await cosigning.SubmitAsync(checkpoint, ct, force: true)).Count > 0)
            checkpoint = await integrity.CheckpointAtAsync(checkpoint.TreeSize, ct) ?? checkpoint;
        return TypedResults.Created($"/api/integrity/checkpoints?before={checkpoint.TreeSize + 1}&limit=1", checkpoint);
    }

    public static async Task<IResult> Status(LedgerIntegrity integrity, WitnessCosigning cosigning, TimeProvider time, CancellationToken ct)
    {
        var (size, lastSeq, behind, latest) = await integrity.StatusAsync(ct);
        return TypedResults.Ok(new
        {
            treeSize = size,
            lastSequence = lastSeq,
            eventsNotYetIntegrated = behind,
            latestCheckpoint = latest,
            checkpointAgeSeconds = latest is null ? (double?)null : Math.Round((time.GetUtcNow() - latest.CreatedAt).TotalSeconds, 1),
            witnesses = cosigning.Status(),
        });
    }

    public static async Task<IResult> Inclusion(LedgerIntegrity integrity, long? sequence, string? stream, long? version, long? treeSize, CancellationToken ct)
    {
        if (sequence is null && (stream is null || version is null))
            throw new RequestRejected(400, "event_required", "Name the event by 'sequence', or by 'stream' and 'version'.", "sequence");
        return TypedResults.Ok(await Guard(() => integrity.InclusionAsync(sequence, stream, version, treeSize, ct)));
    }

    public static async Task<IResult> Consistency(LedgerIntegrity integrity, long? from, long? to, CancellationToken ct)
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
