using System.Text.Json;
using Ledger.Integrity.Merkle;

namespace Ledger.Integrity.Tests.Merkle;

public sealed class MerkleVerifyTests
{
    private static readonly byte[][] Leaves = ReferenceVectors.NodeHashes[0];
    private static readonly byte[][] Roots = ReferenceVectors.Roots;
    private static readonly byte[][] Proof5Of8 = ReferenceVectors.InclusionProofs[2].Proof;
    private static readonly byte[][] Proof6To8 = ReferenceVectors.ConsistencyProofs[2].Proof;

    public static TheoryData<string, bool> Probes()
    {
        var data = new TheoryData<string, bool>();
        foreach (var probe in ReferenceProbe.All()) data.Add(probe.File, probe.WantValid);
        return data;
    }

    /// <summary>
    /// Every golden probe of transparency-dev/merkle gets the reference verifier's answer. One
    /// exception, by design: "sizes-are-equal-one-and-proof-is-empty" has 12-byte roots, which the
    /// reference accepts because for equal sizes it only compares the roots; here every hash must be
    /// 32 bytes.
    /// </summary>
    [Theory]
    [MemberData(nameof(Probes))]
    public void Reference_probes_get_the_reference_verdict(string file, bool wantValid)
    {
        var probe = ReferenceProbe.Get(file);
        var verdict = probe.Verify();
        if (file == ReferenceProbe.StricterHere)
        {
            Assert.True(wantValid);
            Assert.False(verdict.Valid);
            Assert.Contains("12 bytes", verdict.Reason, StringComparison.Ordinal);
            return;
        }
        Assert.True(wantValid == verdict.Valid, $"{file}: {verdict.Reason}");
        Assert.False(string.IsNullOrWhiteSpace(verdict.Reason));
        Assert.DoesNotContain('\n', verdict.Reason);
    }

    [Fact]
    public void Inclusion_fails_with_a_reason_for_each_kind_of_bad_claim()
    {
        var leaf = Leaves[5];
        var root = Roots[8];
        Reason("leaf index 8 is not below the tree size 8", MerkleVerify.Inclusion(8, 8, leaf, Proof5Of8, root));
        Reason("leaf index -1 is negative", MerkleVerify.Inclusion(-1, 8, leaf, Proof5Of8, root));
        Reason("the tree is empty", MerkleVerify.Inclusion(0, 0, leaf, [], Rfc9162.EmptyRoot));
        Reason("tree size -8 is negative", MerkleVerify.Inclusion(5, -8, leaf, Proof5Of8, root));
        Reason("the leaf hash is 31 bytes", MerkleVerify.Inclusion(5, 8, leaf[1..], Proof5Of8, root));
        Reason("the leaf hash is missing", MerkleVerify.Inclusion(5, 8, null!, Proof5Of8, root));
        Reason("the root is 0 bytes", MerkleVerify.Inclusion(5, 8, leaf, Proof5Of8, []));
        Reason("the root is missing", MerkleVerify.Inclusion(5, 8, leaf, Proof5Of8, null!));
        Reason("proof too short: 2 hashes", MerkleVerify.Inclusion(5, 8, leaf, Proof5Of8[..2], root));
        Reason("proof too short: 0 hashes", MerkleVerify.Inclusion(5, 8, leaf, null, root));
        Reason("proof too long: 4 hashes", MerkleVerify.Inclusion(5, 8, leaf, [.. Proof5Of8, root], root));
        Reason("proof hash 1 is missing", MerkleVerify.Inclusion(5, 8, leaf, [Proof5Of8[0], null!, Proof5Of8[2]], root));
        Reason("proof hash 2 is 33 bytes", MerkleVerify.Inclusion(5, 8, leaf, [Proof5Of8[0], Proof5Of8[1], [.. Proof5Of8[2], 0]], root));
        Reason("root mismatch", MerkleVerify.Inclusion(5, 8, Leaves[4], Proof5Of8, root));
        Reason("root mismatch", MerkleVerify.Inclusion(5, 8, leaf, Proof5Of8, Roots[7]));
        Reason("proof too long: 1 hash,", MerkleVerify.Inclusion(0, 1, Leaves[0], [Leaves[1]], Roots[1]));
    }

    [Fact]
    public void Inclusion_in_a_one_leaf_tree_is_the_leaf_itself()
    {
        Assert.True(MerkleVerify.Inclusion(0, 1, Leaves[0], null, Roots[1]).Valid);
        Assert.True(MerkleVerify.Inclusion(0, 1, Leaves[0], [], Roots[1]).Valid);
        Assert.False(MerkleVerify.Inclusion(0, 1, Leaves[1], [], Roots[1]).Valid);
    }

    [Fact]
    public void Consistency_fails_with_a_reason_for_each_kind_of_bad_claim()
    {
        var (r6, r8) = (Roots[6], Roots[8]);
        Reason("size1 9 is greater than size2 8", MerkleVerify.Consistency(9, 8, r6, r8, Proof6To8));
        Reason("size1 -6 is negative", MerkleVerify.Consistency(-6, 8, r6, r8, Proof6To8));
        Reason("size2 -8 is negative", MerkleVerify.Consistency(6, -8, r6, r8, Proof6To8));
        Reason("size1 is 0", MerkleVerify.Consistency(0, 8, Rfc9162.EmptyRoot, r8, []));
        Reason("size1 is 0", MerkleVerify.Consistency(0, 0, Rfc9162.EmptyRoot, Rfc9162.EmptyRoot, []));
        Reason("root1 is 2 bytes", MerkleVerify.Consistency(6, 8, [1, 2], r8, Proof6To8));
        Reason("root2 is missing", MerkleVerify.Consistency(6, 8, r6, null!, Proof6To8));
        Reason("proof too short: 2 hashes", MerkleVerify.Consistency(6, 8, r6, r8, Proof6To8[..2]));
        Reason("proof too short: 0 hashes", MerkleVerify.Consistency(6, 8, r6, r8, null));
        Reason("proof too long: 4 hashes", MerkleVerify.Consistency(6, 8, r6, r8, [.. Proof6To8, r8]));
        Reason("proof hash 0 is missing", MerkleVerify.Consistency(6, 8, r6, r8, [null!, Proof6To8[1], Proof6To8[2]]));
        Reason("root1 mismatch", MerkleVerify.Consistency(6, 8, Roots[5], r8, Proof6To8));
        Reason("root2 mismatch", MerkleVerify.Consistency(6, 8, r6, Roots[7], Proof6To8));
        Reason("root1 mismatch", MerkleVerify.Consistency(6, 8, r8, r6, Proof6To8));
    }

    [Fact]
    public void Equal_sizes_need_an_empty_proof_and_equal_roots()
    {
        Assert.True(MerkleVerify.Consistency(8, 8, Roots[8], Roots[8], null).Valid);
        Assert.True(MerkleVerify.Consistency(8, 8, Roots[8], Roots[8], []).Valid);
        Reason("the sizes are equal (8), so the proof must be empty", MerkleVerify.Consistency(8, 8, Roots[8], Roots[8], [Roots[8]]));
        Reason("root mismatch: both trees have size 8", MerkleVerify.Consistency(8, 8, Roots[8], Roots[7], []));
    }

    [Fact]
    public void A_power_of_two_old_tree_is_proved_without_repeating_its_root()
    {
        // §2.1.4.2 step 2: for size1 = 4 the old root is the first node of the path but not in the proof.
        var proof = new[] { Leaves[4] };
        Assert.True(MerkleVerify.Consistency(4, 5, Roots[4], Roots[5], proof).Valid);
        Reason("proof too long", MerkleVerify.Consistency(4, 5, Roots[4], Roots[5], [Roots[4], Leaves[4]]));
    }

    [Fact]
    public void Huge_sizes_are_handled_without_overflow_or_exceptions()
    {
        var h = Leaves[0];
        Assert.False(MerkleVerify.Inclusion(long.MaxValue - 1, long.MaxValue, h, [], h).Valid);
        Assert.False(MerkleVerify.Inclusion(0, long.MaxValue, h, Enumerable.Repeat(h, 63).ToArray(), h).Valid);
        Assert.False(MerkleVerify.Inclusion(long.MinValue, long.MaxValue, h, [], h).Valid);
        Assert.False(MerkleVerify.Consistency(long.MaxValue - 1, long.MaxValue, h, h, Enumerable.Repeat(h, 200).ToArray()).Valid);
        Assert.False(MerkleVerify.Consistency(1, long.MaxValue, h, h, Enumerable.Repeat(h, 63).ToArray()).Valid);
        Assert.False(MerkleVerify.Consistency(long.MinValue, long.MaxValue, h, h, []).Valid);
        Assert.False(MerkleVerify.Consistency(long.MaxValue, long.MaxValue, h, Leaves[1], []).Valid);
    }

    [Fact]
    public void Valid_verdicts_say_what_was_proved()
    {
        var inclusion = MerkleVerify.Inclusion(5, 8, Leaves[5], Proof5Of8, Roots[8]);
        Assert.Equal($"leaf 5 is in the tree of size 8 with root {Convert.ToBase64String(Roots[8])}", inclusion.Reason);
        var consistency = MerkleVerify.Consistency(6, 8, Roots[6], Roots[8], Proof6To8);
        Assert.StartsWith("the tree of size 8 with root ", consistency.Reason, StringComparison.Ordinal);
        Assert.Contains("extends the tree of size 6", consistency.Reason, StringComparison.Ordinal);
        var (valid, reason) = consistency;
        Assert.True(valid);
        Assert.NotEmpty(reason);
    }

    private static void Reason(string expected, MerkleVerification verdict)
    {
        Assert.False(verdict.Valid, $"expected a failure ({expected}) but: {verdict.Reason}");
        Assert.Contains(expected, verdict.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', verdict.Reason);
    }
}

/// <summary>One line of <see cref="ReferenceProbes"/>.</summary>
internal sealed record ReferenceProbe(string File, string Json, bool WantValid)
{
    /// <summary>The one probe where this verifier is stricter than the reference (see the test).</summary>
    public const string StricterHere = "consistency/additional/sizes-are-equal-one-and-proof-is-empty.json";

    private static readonly Lazy<Dictionary<string, ReferenceProbe>> Parsed = new(() =>
        ReferenceProbes.Lines.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line =>
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                return new ReferenceProbe(root.GetProperty("file").GetString()!, line, !root.GetProperty("wantErr").GetBoolean());
            })
            .ToDictionary(p => p.File));

    public static IEnumerable<ReferenceProbe> All() => Parsed.Value.Values;

    public static ReferenceProbe Get(string file) => Parsed.Value[file];

    public bool IsInclusion => File.StartsWith("inclusion/", StringComparison.Ordinal);

    /// <summary>Decodes the probe as the reference test does (base64 []byte fields) and verifies it.</summary>
    public MerkleVerification Verify()
    {
        using var doc = JsonDocument.Parse(Json);
        var p = doc.RootElement;
        // The reference decodes sizes as uint64; beyond a long no tree can be that large.
        foreach (var size in p.EnumerateObject().Where(f => f.Value.ValueKind == JsonValueKind.Number))
        {
            if (!size.Value.TryGetInt64(out _)) return new MerkleVerification(false, $"{size.Name} is beyond 2^63-1");
        }
        var proof = p.GetProperty("proof").ValueKind == JsonValueKind.Null
            ? null
            : p.GetProperty("proof").EnumerateArray().Select(e => e.GetBytesFromBase64()).ToArray();
        return IsInclusion
            ? MerkleVerify.Inclusion(p.GetProperty("leafIdx").GetInt64(), p.GetProperty("treeSize").GetInt64(),
                p.GetProperty("leafHash").GetBytesFromBase64(), proof, p.GetProperty("root").GetBytesFromBase64())
            : MerkleVerify.Consistency(p.GetProperty("size1").GetInt64(), p.GetProperty("size2").GetInt64(),
                p.GetProperty("root1").GetBytesFromBase64(), p.GetProperty("root2").GetBytesFromBase64(), proof);
    }
}
