using System.CommandLine;
using Ledger.Infrastructure.Integrity;

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
        var file = new Argument<string>("CHECKPOINT") { Description = "a signed checkpoint (C2SP tlog-checkpoint in a signed note), as kept from the ledger" };
        var key = new Option<string>("--key")
        {
            Description = "the verifier key to trust: the text name+hash+base64key, or a file holding it (GET /api/integrity/public-key)",
            Required = true,
        };
        var command = new Command("checkpoint-verify",
            "Verify a signed checkpoint's signature. Exit 0: valid; 1: it does not verify with that key; 2: a file cannot be read.")
        {
            file,
            key,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            var keyText = parse.GetValue(key)!.Trim();
            if (File.Exists(keyText)) keyText = ReadSmall(keyText, "key").Trim();
            var note = ReadSmall(path, "checkpoint");
            var (valid, reason, checkpoint) = CheckpointVerifier.Verify(note, keyText);
            if (!valid) throw new CliFailure($"invalid checkpoint: {reason}", 1);
            parse.InvocationConfiguration.Output.WriteLine(
                $"valid: {checkpoint!.Origin}, tree size {checkpoint.TreeSize}, root {Convert.ToBase64String(checkpoint.RootHash)}");
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
            Description = "a JSON inclusion proof {leafIdx, treeSize, root, leafHash, proof} or consistency proof {size1, size2, root1, root2, proof}, hashes in base64",
        };
        var command = new Command("verify",
            "Verify an inclusion or consistency proof file against the root hashes written in it (check those against a signed checkpoint). " +
            "Exit 0: it holds; 1: the proof does not verify; 2: the file cannot be read as a proof.")
        {
            file,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            var result = ProofFile.Verify(path);
            switch (result.Status)
            {
                case ProofFileStatus.Valid:
                    // The file names its own roots: a forger can write a matching root as easily as a
                    // matching proof, so the line says what was proved and what is left to the caller.
                    parse.InvocationConfiguration.Output.WriteLine(result.Kind == ProofFileKind.Consistency
                        ? "the proof holds against the roots given in the file; those roots are yours to trust (compare them with signed checkpoints " +
                          $"you verified: ledger proof checkpoint-verify): {result.Reason}"
                        : "the proof holds against the root given in the file; that root is yours to trust (compare it with a signed checkpoint " +
                          $"you verified: ledger proof checkpoint-verify): {result.Reason}");
                    return 0;
                case ProofFileStatus.Invalid:
                    throw new CliFailure($"invalid proof: {result.Reason}", 1);
                default:
                    throw new CliFailure($"cannot read {path} as a proof: {result.Reason}", 2);
            }
        });
        return command;
    }
}
