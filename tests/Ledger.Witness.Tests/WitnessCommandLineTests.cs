using System.Net;
using System.Net.Sockets;
using Ledger.Integrity.Checkpoints;
using Ledger.Witness.Tests.Support;

namespace Ledger.Witness.Tests;

/// <summary>keygen and serve as an operator runs them: what they write, print, and refuse in one line.</summary>
public sealed class WitnessCommandLineTests : IAsyncLifetime
{
    private string _folder = null!;

    public Task InitializeAsync()
    {
        _folder = Directory.CreateTempSubdirectory("ledger-witness-cli-").FullName;
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Keygen_writes_an_owner_only_named_key_file_prints_its_verifier_key_and_never_overwrites_it()
    {
        var path = Path.Combine(_folder, "w.key");
        var (exit, output, _) = await WitnessTool.RunAsync("keygen", "--name", "witness.gov.example/w1", "--out", path);
        Assert.Equal(0, exit);
        var verifier = NoteVerifierKey.Parse(output.Trim());
        Assert.True(verifier.IsCosigner);
        Assert.Equal("witness.gov.example/w1", verifier.Name);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        var text = await File.ReadAllTextAsync(path);
        Assert.StartsWith($"PRIVATE+KEY+witness.gov.example/w1+{verifier.KeyIdHex}+", text, StringComparison.Ordinal);

        var (again, _, error) = await WitnessTool.RunAsync("keygen", "--name", "witness.gov.example/w1", "--out", path);
        Assert.Equal(2, again);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("exists", error, StringComparison.Ordinal);
        Assert.Equal(text, await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task Serve_loads_a_key_file_written_by_hand_in_the_documented_format_whose_base64_holds_a_plus()
    {
        // 0xfb bytes encode as base64 with '+' in them: the key part must not be split at '+'.
        var seed = Enumerable.Repeat((byte)0xfb, 32).ToArray();
        using var cosigner = Cosigner.FromSeed(seed, "witness.test/plus");
        var material = Convert.ToBase64String([0x04, .. seed]);
        Assert.Contains('+', material);
        var keyFile = Path.Combine(_folder, "plus.key");
        await File.WriteAllTextAsync(keyFile, $"PRIVATE+KEY+witness.test/plus+{cosigner.Verifier.KeyIdHex}+{material}\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var log = new TestLog("log.test/plus", leaves: 2);

        await using var witness = await WitnessProcess.StartAsync(
            ["--name", "witness.test/plus", "--key", keyFile, "--log", log.LogArgument, "--state", Path.Combine(_folder, "state")]);
        Assert.Contains(cosigner.Verifier.ToString(), witness.Output, StringComparison.Ordinal);
        var answer = await witness.AddCheckpointAsync(log.Request(0, 2));
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.True(Cosignature.Verify(log.SignedCheckpoint(2) + answer.Body, cosigner.Verifier).Valid);
    }

    [Fact]
    public async Task Serve_refuses_bad_input_in_one_line_with_exit_2()
    {
        var key = Path.Combine(_folder, "w.key");
        Assert.Equal(0, (await WitnessTool.RunAsync("keygen", "--name", "witness.test/w1", "--out", key)).Exit);
        using var log = new TestLog("log.test/cli");
        using var witnessKey = Cosigner.Generate("witness.test/other");
        var state = Path.Combine(_folder, "state");
        string[] Serve(string name, string keyFile, string logArgument) =>
            ["serve", "--name", name, "--key", keyFile, "--log", logArgument, "--listen", "127.0.0.1:0", "--state", state];

        var cases = new (string What, string[] Args, string Says)[]
        {
            ("missing key file", Serve("witness.test/w1", Path.Combine(_folder, "none.key"), log.LogArgument), "no key file"),
            ("key file of another name", Serve("witness.test/w2", key, log.LogArgument), "not of 'witness.test/w2'"),
            ("vkey that does not parse", Serve("witness.test/w1", key, "log.test/cli=log.test/cli+00000000+AAAA"), "does not parse"),
            ("no ORIGIN=", Serve("witness.test/w1", key, log.Signer.VerifierKey.Replace("=", "", StringComparison.Ordinal)), "ORIGIN=VKEY"),
            ("a witness's key as a log key", Serve("witness.test/w1", key, $"log.test/cli={witnessKey.Verifier}"), "not a log's"),
            ("bad --listen", ["serve", "--name", "witness.test/w1", "--key", key, "--log", log.LogArgument, "--listen", "nowhere", "--state", state], "--listen"),
            ("no --log", ["serve", "--name", "witness.test/w1", "--key", key, "--listen", "127.0.0.1:0"], "--log"),
        };
        foreach (var (what, args, says) in cases)
        {
            var (exit, _, error) = await WitnessTool.RunAsync(args);
            Assert.True(exit == 2, $"{what}: exit {exit}, {error}");
            Assert.True(error.Trim().Split('\n').Length == 1, $"{what}: more than one line: {error}");
            Assert.Contains(says, error, StringComparison.Ordinal);
        }
        Assert.False(Directory.Exists(state)); // Nothing was started, so no state was made.
    }

    [Fact]
    public async Task Serve_on_a_port_in_use_says_so_in_one_line_with_exit_1()
    {
        var key = Path.Combine(_folder, "w.key");
        Assert.Equal(0, (await WitnessTool.RunAsync("keygen", "--name", "witness.test/w1", "--out", key)).Exit);
        using var log = new TestLog("log.test/port");
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var (exit, _, error) = await WitnessTool.RunAsync(
            "serve", "--name", "witness.test/w1", "--key", key, "--log", log.LogArgument, "--listen", $"127.0.0.1:{port}", "--state", Path.Combine(_folder, "state"));
        Assert.Equal(1, exit);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains($"cannot listen on 127.0.0.1:{port}", error, StringComparison.Ordinal);
    }
}
