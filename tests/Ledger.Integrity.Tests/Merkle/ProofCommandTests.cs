using Ledger.Integrity.Tests.Support;

namespace Ledger.Integrity.Tests.Merkle;

/// <summary>
/// <c>ledger proof verify FILE</c> as a user runs it: the built command-line tool in a child
/// process (this project does not reference Ledger.Cli). Its exit code and its one line of output.
/// The tool must have been built in the same configuration (the solution build does that).
/// </summary>
public sealed class ProofCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ledger-proof-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public static TheoryData<string, string?, int, string> Cases()
    {
        var valid = ReferenceProbe.Get("inclusion/2/happy-path.json").Json;
        var consistent = ReferenceProbe.Get("consistency/2/happy-path.json").Json;
        var wrongLeaf = ReferenceProbe.Get("inclusion/1/wrong-leaf.json").Json;
        var tampered = ReferenceProbe.Get("consistency/1/modified-proof@1-bit-@4.json").Json;
        var root = Convert.ToBase64String(ReferenceVectors.Roots[8]);
        return new TheoryData<string, string?, int, string>
        {
            // A bare proof file names its own root: the line says the proof holds against that root,
            // and that trusting the root is the caller's part.
            { "valid inclusion", valid, 0,
                "the proof holds against the root given in the file; that root is yours to trust (compare it with a signed checkpoint " +
                "you verified: ledger proof checkpoint-verify): leaf 5 is in the tree of size 8 with root " },
            { "valid consistency", consistent, 0,
                "the proof holds against the roots given in the file; those roots are yours to trust (compare them with signed checkpoints " +
                "you verified: ledger proof checkpoint-verify): the tree of size 8 with root " },
            { "wrong leaf", wrongLeaf, 1, "ledger: invalid proof: the leaf hash is 9 bytes" },
            { "tampered proof", tampered, 1, "ledger: invalid proof: root" },
            { "index beyond size", $$"""{"leafIdx": 8, "treeSize": 8, "root": "{{root}}", "leafHash": "{{root}}", "proof": []}""", 1,
                "ledger: invalid proof: leaf index 8 is not below the tree size 8" },
            { "missing file", null, 2, "ledger: cannot read " },
            { "not JSON", "{{{", 2, "ledger: cannot read " },
            { "both shapes", $$"""{"leafIdx": 0, "size1": 1, "root": "{{root}}"}""", 2, "ledger: cannot read " },
        };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Exit_code_and_one_line(string name, string? content, int exitCode, string line)
    {
        var path = Path.Combine(_folder, name.Replace(' ', '-') + ".json");
        if (content is not null) await File.WriteAllTextAsync(path, content);

        var (code, stdout, stderr) = await RunAsync("proof", "verify", path);

        Assert.True(exitCode == code, $"{name}: exit {code}, expected {exitCode}; stdout: {stdout}; stderr: {stderr}");
        var output = (exitCode == 0 ? stdout : stderr).TrimEnd('\n', '\r');
        Assert.StartsWith(line, output, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', output); // one line, never a stack trace
        Assert.Empty(exitCode == 0 ? stderr : stdout);
    }

    private static Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args) => LedgerTool.RunAsync(args);
}
