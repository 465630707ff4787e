using Ledger.Infrastructure.Integrity;
using Ledger.Integrity.Checkpoints;
using Ledger.Integrity.Merkle;
using Npgsql;

namespace Ledger.Chaos;

/// <summary>
/// Every checkpoint signed during the run, in order of size: each verifies with the ledger's key, and each
/// is consistent with the one before it (an RFC 9162 consistency proof between their signed roots verifies),
/// so the signed history only ever grew.
/// </summary>
public static class CheckpointChain
{
    public static async Task<(int Checkpoints, IReadOnlyList<string> Problems)> CheckAsync(string connectionString, string schema, string verifierKey)
    {
        var problems = new List<string>();
        await using var db = NpgsqlDataSource.Create(connectionString);
        var notes = new List<string>();
        await using (var command = db.CreateCommand($"select signed_note from \"{schema}\".ledger_checkpoints order by tree_size"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) notes.Add(reader.GetString(0));
        }

        using var unused = CheckpointSigner.Generate(IntegritySettings.DefaultOrigin); // proofs are read, never signed here
        var log = new LedgerIntegrity(db, schema, unused, TimeProvider.System, new MerkleIntegrator(db, schema));
        Checkpoint? previous = null;
        foreach (var note in notes)
        {
            var (valid, reason, checkpoint) = CheckpointVerifier.Verify(note, verifierKey);
            if (!valid)
            {
                problems.Add($"a signed checkpoint does not verify: {reason}");
                continue;
            }
            if (previous is not null && checkpoint!.TreeSize > previous.TreeSize)
            {
                var proof = await log.ConsistencyAsync(previous.TreeSize, checkpoint.TreeSize, CancellationToken.None);
                var verdict = MerkleVerify.Consistency(previous.TreeSize, checkpoint.TreeSize, previous.RootHash, checkpoint.RootHash,
                    [.. proof.Proof.Select(Convert.FromBase64String)]);
                if (!verdict.Valid)
                    problems.Add($"the checkpoints of sizes {previous.TreeSize} and {checkpoint.TreeSize} are not consistent: {verdict.Reason}");
            }
            previous = checkpoint;
        }
        return (notes.Count, problems);
    }
}
