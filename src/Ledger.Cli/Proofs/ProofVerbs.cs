using System.CommandLine;
using Ledger.Integrity.Merkle;

namespace Ledger.Cli.Proofs;

/// <summary>
/// <c>ledger proof …</c>: checks of Merkle proofs that need nothing but the proof itself — no
/// database, no network, no configuration — so an auditor can run them anywhere.
/// </summary>
public static class ProofVerbs
{
    public static Command Command()
    {
        var command = new Command("proof", "Check Merkle proofs offline (RFC 9162): no database, no network.");
        command.Subcommands.Add(Verify());
        command.Subcommands.Add(CheckpointVerify());
        return command;
    }

    private static Command CheckpointVerify()
    {
        var file = new Argument<string>("CHECKPOINT") { Description = "a signed checkpoint (C2SP tlog-checkpoint in a signed note), as kept from the ledger, with its witnesses' cosignatures" };
        var trust = new TrustOptions();
        var command = new Command("checkpoint-verify",
            "Verify a signed checkpoint against the key or policy you trust (--key or --policy). " +
            "Exit 0: valid; 1: it does not verify, or the policy's quorum did not cosign it; 2: a file or option cannot be read.")
        {
            file,
        };
        trust.AddTo(command);
        command.SetAction(parse =>
        {
            var policy = trust.Resolve(parse)
                ?? throw new CliFailure("give --key (the ledger's verifier key) or --policy (a trust policy file): a checkpoint cannot vouch for itself", 2);
            var note = ReadSmall(parse.GetValue(file)!, "checkpoint");
            var verdict = policy.Verify(note);
            if (!verdict.Valid) throw new CliFailure($"invalid checkpoint: {verdict.Reason}", 1);
            var checkpoint = verdict.Checkpoint!;
            parse.InvocationConfiguration.Output.WriteLine(
                $"valid: {checkpoint.Origin}, tree size {checkpoint.TreeSize}, root {Convert.ToBase64String(checkpoint.RootHash)}" +
                (policy.RequiresWitnesses ? $"; {verdict.Reason}" : ""));
            return 0;
        });
        return command;
    }

    // A checkpoint or a key is a few hundred bytes; anything large is not one.
    private static string ReadSmall(string path, string what)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new CliFailure($"cannot read {path} as a {what}: no such file", 2);
            if (info.Length > 64 * 1024) throw new CliFailure($"cannot read {path} as a {what}: larger than 64 KiB", 2);
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliFailure($"cannot read {path} as a {what}: {ex.Message}", 2);
        }
    }

    private static Command Verify()
    {
        var file = new Argument<string>("FILE")
        {
            Description = "a JSON inclusion proof {leafIdx, treeSize, root, leafHash, proof} or consistency proof {size1, size2, root1, root2, proof}, hashes in base64; " +
                "as the ledger writes them, with the signed checkpoint(s) of their roots",
        };
        var trust = new TrustOptions();
        var command = new Command("verify",
            "Verify an inclusion or consistency proof file. A bare proof is checked against the root written in it, which is yours to trust; " +
            "a proof that carries signed checkpoints is checked against them, and they against --key or --policy. " +
            "Exit 0: it holds; 1: the proof, or a checkpoint it carries, does not verify; 2: the file cannot be read as a proof, or a checkpoint it carries has nothing to be checked against.")
        {
            file,
        };
        trust.AddTo(command);
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            var policy = trust.Resolve(parse);
            var result = ProofFile.Verify(path);
            switch (result.Status)
            {
                case ProofFileStatus.Valid:
                    break;
                case ProofFileStatus.Invalid:
                    throw new CliFailure($"invalid proof: {result.Reason}", 1);
                default:
                    throw new CliFailure($"cannot read {path} as a proof: {result.Reason}", 2);
            }
            var roots = result.Kind == ProofFileKind.Consistency ? "roots" : "root";
            if (result.Checkpoints.Count == 0)
            {
                if (policy is not null)
                    throw new CliFailure($"the proof holds, but the file carries no signed checkpoint for its {roots}, so nothing ties them to the ledger you trust: {result.Reason}", 1);
                // The file names its own roots: a forger can write a matching root as easily as a
                // matching proof, so the line says what was proved and what is left to the caller.
                parse.InvocationConfiguration.Output.WriteLine(result.Kind == ProofFileKind.Consistency
                    ? "the proof holds against the roots given in the file; those roots are yours to trust (compare them with signed checkpoints " +
                      $"you verified: ledger proof checkpoint-verify): {result.Reason}"
                    : "the proof holds against the root given in the file; that root is yours to trust (compare it with a signed checkpoint " +
                      $"you verified: ledger proof checkpoint-verify): {result.Reason}");
                return 0;
            }
            if (policy is null)
            {
                throw new CliFailure(
                    $"the file carries a signed checkpoint ({string.Join(", ", result.Checkpoints.Select(c => c.Field))}): give --key or --policy to check it, " +
                    "e.g. --key \"$(curl -s http://127.0.0.1:5080/api/integrity/public-key)\"", 2);
            }
            var cosigned = "";
            foreach (var claimed in result.Checkpoints)
            {
                var verdict = policy.Verify(claimed.SignedNote);
                if (!verdict.Valid) throw new CliFailure($"invalid proof: its {claimed.Field} does not verify: {verdict.Reason}", 1);
                if (verdict.Checkpoint!.TreeSize != claimed.TreeSize || !verdict.Checkpoint.RootHash.AsSpan().SequenceEqual(claimed.Root))
                {
                    throw new CliFailure(
                        $"invalid proof: its {claimed.Field} is of tree size {verdict.Checkpoint.TreeSize} with another root than the proof's (tree size {claimed.TreeSize})", 1);
                }
                if (policy.RequiresWitnesses) cosigned = $"; {verdict.Reason}";
            }
            parse.InvocationConfiguration.Output.WriteLine(
                $"valid: the proof holds against the signed checkpoint{(result.Checkpoints.Count > 1 ? "s" : "")} it carries, which verif{(result.Checkpoints.Count > 1 ? "y" : "ies")} with what you trust{cosigned}: {result.Reason}");
            return 0;
        });
        return command;
    }
}
