using System.Globalization;
using Ledger.Integrity.Checkpoints;
using Ledger.Integrity.Merkle;

namespace Ledger.Witness.Cosigning;

/// <summary>
/// The body of <c>POST /add-checkpoint</c> (C2SP tlog-witness): <c>old &lt;size&gt;\n</c>, at most 63 lines of
/// base64 consistency-proof hashes, an empty line, then the signed checkpoint. Every line ends in "\n".
/// </summary>
internal sealed record AddCheckpointRequest(long OldSize, IReadOnlyList<byte[]> Proof, SubmittedCheckpoint Checkpoint)
{
    /// <summary>tlog-witness: "The client MUST NOT send more than 63 consistency proof lines."</summary>
    public const int MaxProofLines = 63;

    /// <summary>The request, or null and why the body is malformed (a 400).</summary>
    public static (AddCheckpointRequest? Request, string Problem) Parse(string body)
    {
        var rest = body.AsSpan();
        if (!TakeLine(ref rest, out var oldLine))
            return Malformed("the body does not start with a line 'old <size>'");
        if (!oldLine.StartsWith("old ", StringComparison.Ordinal) || !TryCanonicalSize(oldLine[4..], out var oldSize))
            return Malformed("the first line is not 'old <size>' (a decimal without leading zeros)");

        var proof = new List<byte[]>();
        while (true)
        {
            if (!TakeLine(ref rest, out var line))
                return Malformed("the body has no empty line before the checkpoint");
            if (line.IsEmpty)
                break;
            if (proof.Count == MaxProofLines)
                return Malformed($"the consistency proof has more than {MaxProofLines} lines");
            var hash = SignedNote.DecodeBase64(line);
            if (hash is not { Length: Rfc9162.HashSize })
                return Malformed($"consistency proof line {proof.Count + 1} is not base64 of a 32-byte hash");
            proof.Add(hash);
        }

        var (checkpoint, problem) = SubmittedCheckpoint.Parse(rest.ToString());
        return checkpoint is null
            ? Malformed(problem)
            : (new AddCheckpointRequest(oldSize, proof, checkpoint), "ok");
    }

    /// <summary>A tree size as tlog-witness and tlog-checkpoint write it: ASCII decimal, no leading zeros, no sign.</summary>
    internal static bool TryCanonicalSize(ReadOnlySpan<char> text, out long size)
    {
        size = 0;
        if (text.Length is 0 or > 19 || (text.Length > 1 && text[0] == '0'))
            return false;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
                return false;
        }
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out size);
    }

    private static bool TakeLine(ref ReadOnlySpan<char> rest, out ReadOnlySpan<char> line)
    {
        var end = rest.IndexOf('\n');
        if (end < 0)
        {
            line = default;
            return false;
        }
        line = rest[..end];
        rest = rest[(end + 1)..];
        return true;
    }

    private static (AddCheckpointRequest?, string) Malformed(string problem) => (null, problem);
}

/// <summary>
/// A signed checkpoint as submitted (C2SP tlog-checkpoint): its note text — origin, size, root hash and any
/// extension lines — and its signature lines, not yet verified.
/// </summary>
internal sealed record SubmittedCheckpoint(string Origin, long Size, byte[] Root, string Text, string Note, IReadOnlyList<SignedNote.SignatureLine> Signatures)
{
    /// <summary>The checkpoint, or null and why the note or its body is malformed.</summary>
    public static (SubmittedCheckpoint? Checkpoint, string Problem) Parse(string note)
    {
        var (reason, text, signatures) = SignedNote.Parse(note);
        if (text is null)
            return (null, "the checkpoint is not a signed note: " + reason);

        var lines = text[..^1].Split('\n');
        if (lines.Length < 3)
            return (null, "the checkpoint has fewer than three lines (origin, tree size, root hash)");
        if (!Checkpoint.IsValidOrigin(lines[0]))
            return (null, "the checkpoint's origin line is empty or not valid");
        if (!AddCheckpointRequest.TryCanonicalSize(lines[1], out var size))
            return (null, "the checkpoint's tree size is not a decimal without leading zeros");
        var root = SignedNote.DecodeBase64(lines[2]);
        if (root is not { Length: Checkpoint.RootHashSize })
            return (null, "the checkpoint's root hash is not base64 of 32 bytes");
        // tlog-checkpoint: extension lines are optional and opaque, but never empty. They are cosigned as part
        // of the body; the cosignature speaks only for the first three lines (tlog-cosignature).
        for (var i = 3; i < lines.Length; i++)
        {
            if (lines[i].Length == 0)
                return (null, "the checkpoint has an empty extension line");
        }
        return (new SubmittedCheckpoint(lines[0], size, root, text, note, signatures), "ok");
    }

    /// <summary>A signature line as it appears in a note (base64 is canonical, so this is the line as sent).</summary>
    public static string Line(SignedNote.SignatureLine line) =>
        SignedNote.SignaturePrefix + line.Name + " " + Convert.ToBase64String(line.Blob) + "\n";
}
