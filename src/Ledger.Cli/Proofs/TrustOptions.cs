using System.CommandLine;
using Ledger.Integrity.Checkpoints;

namespace Ledger.Cli.Proofs;

/// <summary>
/// <c>--key</c> and <c>--policy</c>, the two ways a verifier says what it trusts: the ledger's verifier key
/// alone (the operator's word), or a policy file naming the ledger's key, the witnesses and their quorum.
/// What is being verified never chooses: a file or bundle cannot vouch for itself.
/// </summary>
internal sealed class TrustOptions
{
    public Option<string?> Key { get; } = new("--key")
    {
        Description = "the ledger's verifier key to trust, as GET /api/integrity/public-key answers it (the text, or a file holding it)",
    };

    public Option<FileInfo?> Policy { get; } = new("--policy")
    {
        Description = "a trust policy file (C2SP tlog-policy): 'log <ledger key>', 'witness <name> <key>' lines and 'quorum <k>'; " +
            "a checkpoint counts only with the ledger's signature and the quorum's cosignatures",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Key);
        command.Options.Add(Policy);
    }

    /// <summary>The policy the caller gave, or null when neither option was; a bad key or policy is one line and exit 2.</summary>
    public TrustPolicy? Resolve(ParseResult parse)
    {
        var keyText = parse.GetValue(Key);
        var policyFile = parse.GetValue(Policy);
        if (!string.IsNullOrWhiteSpace(keyText) && policyFile is not null)
            throw new CliFailure("give --key or --policy, not both: a policy names the ledger's key itself", 2);
        if (policyFile is not null)
        {
            try
            {
                return TrustPolicy.Load(policyFile.FullName);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
            {
                throw new CliFailure($"--policy {policyFile.Name}: {ex.Message}", 2);
            }
        }
        if (string.IsNullOrWhiteSpace(keyText)) return null;
        var text = keyText.Trim();
        if (File.Exists(text))
        {
            var info = new FileInfo(text);
            if (info.Length > 64 * 1024) throw new CliFailure($"--key {text}: larger than 64 KiB; a key is one line", 2);
            text = File.ReadAllText(text).Trim();
        }
        if (!NoteVerifierKey.TryParse(text, out var key, out var reason))
            throw new CliFailure($"--key: not a verifier key ({reason})", 2);
        if (key.IsCosigner)
            throw new CliFailure($"--key: {key.Name}'s key is a witness's (type 0x04); give the ledger's key, or name witnesses in a --policy file", 2);
        return TrustPolicy.ForLogKey(key);
    }
}
