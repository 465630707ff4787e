using Ledger.Integrity.Merkle;

namespace Ledger.Witness.Cosigning;

/// <summary>The latest checkpoint a witness cosigned for one log: what every later one must extend.</summary>
internal sealed record HeldCheckpoint(string Origin, long Size, byte[] Root, string Note, DateTimeOffset CosignedAt);

/// <summary>What the witness does with a submission whose signature it has already verified.</summary>
internal abstract record Verdict
{
    /// <summary>Consistent with what it holds: cosign it and hold it from now on (200).</summary>
    public sealed record Cosign : Verdict;

    /// <summary>
    /// The client's old size is not the size held (409, with the held size). <paramref name="Evidence"/> is set
    /// when the checkpoint itself contradicts what was cosigned (same size, another root): a fork, worth keeping.
    /// </summary>
    public sealed record Conflict(long HeldSize, string? Evidence) : Verdict;

    /// <summary>The checkpoint does not extend what is held (422): always kept as possible evidence of a misbehaving log.</summary>
    public sealed record Inconsistent(string Reason) : Verdict;
}

/// <summary>
/// The witness's decision, pure: the checks of C2SP tlog-witness (add-checkpoint) that depend on what it holds,
/// in the spec's order. The signature and "old ≤ size" are checked before, without the state.
/// </summary>
internal static class Witnessing
{
    public static Verdict Decide(AddCheckpointRequest request, HeldCheckpoint? held)
    {
        var checkpoint = request.Checkpoint;
        // Zero when it never cosigned a checkpoint of this origin.
        var heldSize = held?.Size ?? 0;
        if (request.OldSize != heldSize)
        {
            var fork = held is not null && checkpoint.Size == held.Size && !checkpoint.Root.AsSpan().SequenceEqual(held.Root)
                ? $"a second root for size {held.Size}: {Convert.ToBase64String(checkpoint.Root)}, where {Convert.ToBase64String(held.Root)} was cosigned"
                : null;
            return new Verdict.Conflict(heldSize, fork);
        }
        if (checkpoint.Size == 0 && !checkpoint.Root.AsSpan().SequenceEqual(Rfc9162.EmptyRoot))
            return new Verdict.Inconsistent("a checkpoint of size 0 whose root is not the empty tree's");
        if (request.OldSize == 0)
        {
            // Every tree extends the empty one: no proof can say more, so none may be sent.
            return request.Proof.Count == 0
                ? new Verdict.Cosign()
                : new Verdict.Inconsistent($"a consistency proof of {request.Proof.Count} hashes from size 0, which needs none");
        }
        // old = held size > 0. Equal sizes need equal roots and an empty proof; larger ones a proof from the held root.
        var check = MerkleVerify.Consistency(held!.Size, checkpoint.Size, held.Root, checkpoint.Root, request.Proof);
        return check.Valid ? new Verdict.Cosign() : new Verdict.Inconsistent(check.Reason);
    }
}
