using System.Text;
using System.Text.Json;
using Ledger.Integrity.Merkle;

namespace Ledger.Integrity.Tests.Merkle;

/// <summary>
/// What <c>ledger proof verify FILE</c> decides, through <see cref="ProofFile.Verify"/> on real files:
/// status Valid / Invalid / Unreadable are exit codes 0 / 1 / 2. (The command itself is a thin
/// wrapper; <see cref="ProofCommandTests"/> runs it.)
/// </summary>
public sealed class ProofFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ledger-proof-tests-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string json, string name = "proof.json")
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, json);
        return path;
    }

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes);

    private static readonly string Inclusion5 = JsonSerializer.Serialize(new
    {
        leafIdx = 5,
        treeSize = 8,
        root = B64(ReferenceVectors.Roots[8]),
        leafHash = B64(ReferenceVectors.NodeHashes[0][5]),
        proof = ReferenceVectors.InclusionProofs[2].Proof.Select(B64),
    });

    private static readonly string Consistency6 = JsonSerializer.Serialize(new
    {
        size1 = 6,
        size2 = 8,
        root1 = B64(ReferenceVectors.Roots[6]),
        root2 = B64(ReferenceVectors.Roots[8]),
        proof = ReferenceVectors.ConsistencyProofs[2].Proof.Select(B64),
    });

    public static TheoryData<string> ProbeFiles()
    {
        var data = new TheoryData<string>();
        foreach (var probe in ReferenceProbe.All()) data.Add(probe.File);
        return data;
    }

    [Theory]
    [MemberData(nameof(ProbeFiles))]
    public void Reference_probe_files_are_valid_or_invalid_as_the_reference_says(string file)
    {
        var probe = ReferenceProbe.Get(file);
        var result = ProofFile.Verify(Write(probe.Json, Path.GetFileName(file)));
        var expected = probe.WantValid && file != ReferenceProbe.StricterHere ? ProofFileStatus.Valid : ProofFileStatus.Invalid;
        Assert.True(expected == result.Status, $"{file}: {result.Status}: {result.Reason}");
    }

    [Fact]
    public void Valid_proofs_say_what_they_prove()
    {
        var inclusion = ProofFile.Verify(Write(Inclusion5));
        Assert.Equal(ProofFileStatus.Valid, inclusion.Status);
        Assert.Equal(0, (int)inclusion.Status);
        Assert.StartsWith("leaf 5 is in the tree of size 8 with root ", inclusion.Reason, StringComparison.Ordinal);

        var consistency = ProofFile.Verify(Write(Consistency6));
        Assert.Equal(ProofFileStatus.Valid, consistency.Status);
        Assert.Contains("extends the tree of size 6", consistency.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Proofs_in_the_shape_the_ledger_serves_verify()
    {
        // The API's documents carry more fields (sequence, stream, checkpoint…); they are ignored.
        var tree = TestTrees.Stored(TestTrees.Leaves(1000, seed: 21));
        var inclusion = JsonSerializer.Serialize(new
        {
            leafIdx = 700,
            treeSize = 999,
            root = B64(await MerkleReader.RootAsync(tree, 999)),
            leafHash = B64(tree.Leaves[700]),
            proof = (await MerkleReader.InclusionProofAsync(tree, 700, 999)).Select(B64),
            sequence = 1234,
            stream = "commitment-1",
            version = 3,
            checkpoint = (string?)null,
        }, JsonSerializerOptions.Web);
        Assert.Equal(ProofFileStatus.Valid, ProofFile.Verify(Write(inclusion)).Status);

        var consistency = JsonSerializer.Serialize(new
        {
            size1 = 333,
            size2 = 1000,
            root1 = B64(await MerkleReader.RootAsync(tree, 333)),
            root2 = B64(tree.Frontier.Root()),
            proof = (await MerkleReader.ConsistencyProofAsync(tree, 333, 1000)).Select(B64),
            checkpoint1 = "a signed note",
            checkpoint2 = (string?)null,
        }, JsonSerializerOptions.Web);
        Assert.Equal(ProofFileStatus.Valid, ProofFile.Verify(Write(consistency)).Status);
    }

    public static TheoryData<string, string> InvalidProofs()
    {
        var leaf = B64(ReferenceVectors.NodeHashes[0][5]);
        var root = B64(ReferenceVectors.Roots[8]);
        var p = ReferenceVectors.InclusionProofs[2].Proof.Select(B64).ToArray();
        string Incl(long idx, long size, string leafHash, string rootHash, string proof) =>
            $$"""{"leafIdx": {{idx}}, "treeSize": {{size}}, "root": "{{rootHash}}", "leafHash": "{{leafHash}}", "proof": {{proof}}}""";
        var proof = JsonSerializer.Serialize(p);
        return new TheoryData<string, string>
        {
            { Incl(8, 8, leaf, root, proof), "leaf index 8 is not below the tree size 8" },
            { Incl(-1, 8, leaf, root, proof), "leaf index -1 is negative" },
            { Incl(0, 0, leaf, root, "[]"), "the tree is empty" },
            { Incl(0, 8, leaf, root, proof).Replace("\"treeSize\": 8", "\"treeSize\": 18446744073709551615", StringComparison.Ordinal),
                "treeSize '18446744073709551615' is outside the sizes and indexes a log can have" },
            { Incl(0, 8, leaf, root, proof).Replace("\"leafIdx\": 0", "\"leafIdx\": -99999999999999999999", StringComparison.Ordinal),
                "leafIdx '-99999999999999999999' is outside" },
            { Incl(5, 8, "AAAA", root, proof), "the leaf hash is 3 bytes" },
            { Incl(5, 8, leaf, "", proof), "the root is 0 bytes" },
            { Incl(5, 8, leaf, root, "null"), "proof too short: 0 hashes" },
            { Incl(5, 8, leaf, root, $"[\"{p[0]}\"]"), "proof too short: 1 hash," },
            { Incl(5, 8, leaf, root, JsonSerializer.Serialize(p.Append(root))), "proof too long: 4 hashes" },
            { Incl(5, 8, leaf, root, JsonSerializer.Serialize(new[] { p[0], p[1], "AAAA" })), "proof hash 2 is 3 bytes" },
            { Incl(4, 8, leaf, root, proof), "root mismatch" },
            { Incl(5, 6, leaf, root, proof), "proof too long: 3 hashes" },
            { Incl(5, 8, leaf, B64(ReferenceVectors.Roots[7]), proof), "root mismatch" },
            { $$"""{"size1": 9, "size2": 8, "root1": "{{root}}", "root2": "{{root}}"}""", "size1 9 is greater than size2 8" },
            { $$"""{"size1": 0, "size2": 8, "root1": "{{root}}", "root2": "{{root}}", "proof": []}""", "size1 is 0" },
            { $$"""{"size1": 8, "size2": 8, "root1": "{{root}}", "root2": "{{leaf}}"}""", "root mismatch" },
            { $$"""{"size1": 8, "size2": 8, "root1": "{{root}}", "root2": "{{root}}", "proof": ["{{root}}"]}""", "the proof must be empty" },
            { $$"""{"size1": 6, "size2": 8, "root1": "{{root}}", "root2": "{{root}}", "proof": []}""", "proof too short" },
        };
    }

    [Theory]
    [MemberData(nameof(InvalidProofs))]
    public void Proofs_that_do_not_verify_are_invalid_with_the_reason(string json, string reason)
    {
        var result = ProofFile.Verify(Write(json));
        Assert.Equal(ProofFileStatus.Invalid, result.Status);
        Assert.Equal(1, (int)result.Status);
        Assert.Contains(reason, result.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', result.Reason);
    }

    public static TheoryData<string, string> UnreadableFiles()
    {
        var root = B64(ReferenceVectors.Roots[8]);
        return new TheoryData<string, string>
        {
            { "", "not JSON" },
            { "this is not json", "not JSON" },
            { "{\"leafIdx\": 1,", "not JSON" },
            { "{\"leafIdx\": 1, \"treeSize\": 2, \"root\": \"\", \"leafHash\": \"\",}", "not JSON" },
            { "[1, 2, 3]", "not an object" },
            { "\"a string\"", "not an object" },
            { "null", "not an object" },
            { "{}", "neither" },
            { "{\"proof\": []}", "neither" },
            { "{\"leafIdx\": 0, \"size1\": 1}", "mixes the fields" },
            { $$"""{"leafIdx": 0, "treeSize": 1, "root": "{{root}}", "leafHash": "{{root}}", "root1": "{{root}}"}""", "mixes the fields" },
            { $$"""{"leafIdx": 0, "treeSize": 1, "root": "{{root}}"}""", "the field 'leafHash' is missing" },
            { $$"""{"size1": 1, "root1": "{{root}}", "root2": "{{root}}"}""", "the field 'size2' is missing" },
            { $$"""{"leafIdx": "0", "treeSize": 1, "root": "{{root}}", "leafHash": "{{root}}"}""", "'leafIdx' must be an integer, not a string" },
            { $$"""{"leafIdx": 0.5, "treeSize": 1, "root": "{{root}}", "leafHash": "{{root}}"}""", "'leafIdx' must be a whole number, not '0.5'" },
            { $$"""{"leafIdx": 1e2, "treeSize": 1, "root": "{{root}}", "leafHash": "{{root}}"}""", "'leafIdx' must be a whole number" },
            { $$"""{"leafIdx": 0, "treeSize": null, "root": "{{root}}", "leafHash": "{{root}}"}""", "'treeSize' must be an integer, not null" },
            { $$"""{"leafIdx": 0, "treeSize": 1, "root": 42, "leafHash": "{{root}}"}""", "'root' must be a base64 string, not a number" },
            { $$"""{"leafIdx": 0, "treeSize": 1, "root": "not base64!", "leafHash": "{{root}}"}""", "'root' is not base64" },
            { $$"""{"leafIdx": 0, "treeSize": 1, "root": "{{root}}", "leafHash": "{{root}}", "proof": "{{root}}"}""", "'proof' must be an array" },
            { $$"""{"leafIdx": 0, "treeSize": 1, "root": "{{root}}", "leafHash": "{{root}}", "proof": [null]}""", "proof hash 0 must be a base64 string, not null" },
            { $$"""{"leafIdx": 0, "treeSize": 1, "root": "{{root}}", "leafHash": "{{root}}", "proof": ["%%%"]}""", "proof hash 0 is not base64" },
            { $$"""{"size1": 1, "size2": 1, "root1": "{{root}}", "root2": "{{root}}", "Size1": 1}""", "given twice" },
            { $$"""{"leafIdx": 0, "treeSize": 1, "root": "{{root}}", "leafHash": "{{root}}"} // comment""", "not JSON" },
            { $$"""{"leafIdx": 0, "treeSize": 1, "root": "{{root}}", "leafHash": "{{root}}"} {}""", "not JSON" },
        };
    }

    [Theory]
    [MemberData(nameof(UnreadableFiles))]
    public void Files_that_are_not_proofs_are_unreadable_with_the_reason(string content, string reason)
    {
        var result = ProofFile.Verify(Write(content));
        Assert.Equal(ProofFileStatus.Unreadable, result.Status);
        Assert.Equal(2, (int)result.Status);
        Assert.Contains(reason, result.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', result.Reason);
    }

    [Fact]
    public void Missing_files_folders_and_huge_files_are_unreadable()
    {
        Assert.Equal(new ProofFileResult(ProofFileStatus.Unreadable, "no such file"), ProofFile.Verify(Path.Combine(_folder, "absent.json")));
        Assert.Equal(ProofFileStatus.Unreadable, ProofFile.Verify(Path.Combine(_folder, "no-folder", "absent.json")).Status);
        Assert.Equal(ProofFileStatus.Unreadable, ProofFile.Verify(_folder).Status);
        Assert.Equal(ProofFileStatus.Unreadable, ProofFile.Verify("").Status);

        var huge = Path.Combine(_folder, "huge.json");
        File.WriteAllText(huge, "[" + string.Join(",", Enumerable.Repeat("\"AAAA\"", 300_000)) + "]");
        var result = ProofFile.Verify(huge);
        Assert.Equal(ProofFileStatus.Unreadable, result.Status);
        Assert.Contains("larger than", result.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"leafIdx": 0, "treeSize": 1, "root": "\u001b[2J\u001b[31mred", "leafHash": "AAAA"}""")]
    [InlineData("""{"size1": 1, "size2": 1, "root1": "", "root2": "", "\u001b]0;x\u0007": 1, "\u001B]0;X\u0007": 2}""")]
    [InlineData("{\"leafIdx\": \u001b[31m}")]
    public void Text_from_the_file_reaches_the_terminal_without_control_characters(string json)
    {
        var result = ProofFile.Verify(Write(json));
        Assert.Equal(ProofFileStatus.Unreadable, result.Status);
        Assert.DoesNotContain(result.Reason, char.IsControl);
    }

    [Fact]
    public void A_byte_order_mark_and_other_casing_are_accepted()
    {
        var bom = Path.Combine(_folder, "bom.json");
        File.WriteAllText(bom, Inclusion5, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        Assert.Equal(ProofFileStatus.Valid, ProofFile.Verify(bom).Status);
        Assert.Equal(ProofFileStatus.Valid, ProofFile.Verify(Write(Inclusion5.Replace("leafIdx", "LeafIdx", StringComparison.Ordinal))).Status);
    }

    [Fact]
    public void A_proof_with_thousands_of_hashes_is_refused_without_hashing()
    {
        var root = B64(ReferenceVectors.Roots[8]);
        var many = JsonSerializer.Serialize(Enumerable.Repeat(root, 20_000));
        var result = ProofFile.Verify(Write($$"""{"size1": 3, "size2": 8, "root1": "{{root}}", "root2": "{{root}}", "proof": {{many}}}"""));
        Assert.Equal(ProofFileStatus.Invalid, result.Status);
        Assert.Contains("proof too long: 20000 hashes", result.Reason, StringComparison.Ordinal);
    }
}
