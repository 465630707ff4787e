using System.Globalization;
using Ledger.Integrity.Checkpoints;

namespace Ledger.Infrastructure.Audit;

/// <summary>
/// <c>manifest.sig</c>: a C2SP signed note by the ledger's checkpoint key over
/// <code>
/// ledger-audit-manifest/1
/// checkpoint &lt;tree size&gt; &lt;base64 root hash&gt;
/// manifest.json sha256 &lt;hex SHA-256 of manifest.json's bytes&gt;
/// </code>
/// so nothing the manifest states (hashes, counts, version ranges, the views' files) can change without the
/// ledger's key, and the note names the checkpoint the proofs use. Its second line is not a decimal tree
/// size, so no manifest signature can pass for a checkpoint signed by the same key.
/// </summary>
public static class ManifestSignature
{
    public const string Header = "ledger-audit-manifest/1";

    public static string Text(long treeSize, string root, string manifestSha256) =>
        string.Create(CultureInfo.InvariantCulture, $"{Header}\ncheckpoint {treeSize} {root}\n{AuditBundle.Manifest} sha256 {manifestSha256}\n");

    /// <summary>
    /// Whether <paramref name="note"/> is the ledger's signature (by <paramref name="key"/>) of a manifest whose SHA-256
    /// is <paramref name="manifestSha256"/>, proved against <paramref name="checkpoint"/>. Never throws.
    /// </summary>
    public static (bool Valid, string Reason) Verify(string note, NoteVerifierKey key, string manifestSha256, Checkpoint checkpoint)
    {
        var (valid, reason, text) = SignedNote.Open(note, key);
        if (!valid) return (false, reason);
        var lines = text![..^1].Split('\n');
        if (lines.Length != 3 || lines[0] != Header)
            return (false, $"it is not a {Header} note");
        if (lines[1] != string.Create(CultureInfo.InvariantCulture, $"checkpoint {checkpoint.TreeSize} {Convert.ToBase64String(checkpoint.RootHash)}"))
            return (false, $"it names another checkpoint than {AuditBundle.Checkpoint} ({lines[1]})");
        if (!string.Equals(lines[2], $"{AuditBundle.Manifest} sha256 {manifestSha256}", StringComparison.OrdinalIgnoreCase))
            return (false, $"it signs another {AuditBundle.Manifest} (SHA-256 {lines[2].Split(' ')[^1]}, not {manifestSha256})");
        return (true, "ok");
    }
}
