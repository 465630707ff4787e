using System.Buffers;
using System.Security.Cryptography;

namespace Ledger.Integrity.Merkle;

/// <summary>
/// The hashing of RFC 9162 §2.1.1 (the same as RFC 6962 §2.1) with SHA-256: a leaf is
/// HASH(0x00 ‖ leaf), an interior node HASH(0x01 ‖ left ‖ right), the empty tree HASH().
/// The two prefixes are the domain separation that stops a leaf from posing as an interior node
/// (second-preimage resistance, RFC 9162 §2.1.1).
/// </summary>
public static class Rfc9162
{
    /// <summary>Bytes in every hash of the log (SHA-256).</summary>
    public const int HashSize = 32;

    private const byte LeafPrefix = 0x00;
    private const byte NodePrefix = 0x01;
    // Leaves up to this size are prefixed on the stack; bigger ones in a pooled buffer.
    private const int StackLeafLimit = 1024;

    private static readonly byte[] Empty = SHA256.HashData(ReadOnlySpan<byte>.Empty);

    /// <summary>MTH({}) = SHA-256 of the empty string (RFC 9162 §2.1.1); a fresh copy each time.</summary>
    public static byte[] EmptyRoot => (byte[])Empty.Clone();

    /// <summary>MTH({d}) = SHA-256(0x00 ‖ d), the leaf hash of an input d (RFC 9162 §2.1.1).</summary>
    public static byte[] LeafHash(ReadOnlySpan<byte> leafBytes)
    {
        var hash = new byte[HashSize];
        var length = leafBytes.Length + 1;
        if (length <= StackLeafLimit)
        {
            Span<byte> buffer = stackalloc byte[length];
            buffer[0] = LeafPrefix;
            leafBytes.CopyTo(buffer[1..]);
            SHA256.HashData(buffer, hash);
            return hash;
        }
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            rented[0] = LeafPrefix;
            leafBytes.CopyTo(rented.AsSpan(1));
            SHA256.HashData(rented.AsSpan(0, length), hash);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
        return hash;
    }

    /// <summary>SHA-256(0x01 ‖ left ‖ right), an interior node (RFC 9162 §2.1.1). Any lengths; the log uses 32.</summary>
    public static byte[] NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        var hash = new byte[HashSize];
        if (left.Length == HashSize && right.Length == HashSize)
        {
            NodeHash(left, right, hash);
            return hash;
        }
        var length = 1 + left.Length + right.Length;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            rented[0] = NodePrefix;
            left.CopyTo(rented.AsSpan(1));
            right.CopyTo(rented.AsSpan(1 + left.Length));
            SHA256.HashData(rented.AsSpan(0, length), hash);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
        return hash;
    }

    /// <summary>
    /// The allocation-free node hash of two 32-byte children into <paramref name="destination"/>,
    /// which may overlap either child (the input is copied first): the verifiers' inner loop.
    /// </summary>
    internal static void NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> destination)
    {
        Span<byte> buffer = stackalloc byte[1 + 2 * HashSize];
        buffer[0] = NodePrefix;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[(1 + HashSize)..]);
        SHA256.HashData(buffer, destination);
    }
}
