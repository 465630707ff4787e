using System.Buffers;
using System.Globalization;
using System.Text;

namespace Ledger.Integrity.Checkpoints;

/// <summary>
/// A C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint): the log's origin, its size in leaves and the
/// RFC 9162 Merkle tree head at that size. Its note text (<see cref="Body"/>) is what gets signed.
/// </summary>
public sealed record Checkpoint(string Origin, long TreeSize, byte[] RootHash)
{
    /// <summary>A SHA-256 root hash is 32 bytes.</summary>
    public const int RootHashSize = 32;

    /// <summary>
    /// The note text: <c>origin\n&lt;tree size in decimal&gt;\n&lt;base64 root hash&gt;\n</c>, no extension lines.
    /// Throws <see cref="InvalidOperationException"/> if the checkpoint cannot be written as one.
    /// </summary>
    public string Body()
    {
        if (!IsValidOrigin(Origin))
            throw new InvalidOperationException("A checkpoint origin must be non-empty, well-formed Unicode and free of control characters.");
        if (TreeSize < 0)
            throw new InvalidOperationException("A checkpoint's tree size cannot be negative.");
        if (RootHash is not { Length: RootHashSize })
            throw new InvalidOperationException("A checkpoint's root hash must be 32 bytes.");
        return string.Create(CultureInfo.InvariantCulture, $"{Origin}\n{TreeSize}\n{Convert.ToBase64String(RootHash)}\n");
    }

    /// <summary>Value equality, the root hash compared byte by byte.</summary>
    public bool Equals(Checkpoint? other) =>
        other is not null
        && string.Equals(Origin, other.Origin, StringComparison.Ordinal)
        && TreeSize == other.TreeSize
        && RootHash.AsSpan().SequenceEqual(other.RootHash);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Origin, StringComparer.Ordinal);
        hash.Add(TreeSize);
        hash.AddBytes(RootHash);
        return hash.ToHashCode();
    }

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture, $"Origin = {Origin}, TreeSize = {TreeSize}, RootHash = {(RootHash is null ? "null" : Convert.ToBase64String(RootHash))}");
        return true;
    }

    internal static bool IsValidOrigin(string? origin)
    {
        if (string.IsNullOrEmpty(origin))
            return false;
        var index = 0;
        while (index < origin.Length)
        {
            if (Rune.DecodeFromUtf16(origin.AsSpan(index), out var rune, out var consumed) != OperationStatus.Done)
                return false;
            if (Rune.IsControl(rune))
                return false;
            index += consumed;
        }
        return true;
    }
}
