namespace Ledger.Benchmarks.Integrity;

/// <summary>
/// <c>ledger verify</c> as an auditor runs it: the command-line tool (src/Ledger.Cli, built in the
/// harness's configuration) in a process of its own (<see cref="CliChild"/>) against a ledger schema,
/// trusting the verifier key of the bench's checkpoint signer (<c>--key</c>; its data folder is an empty
/// temporary one). Reports the child's peak resident set size.
/// </summary>
public static class VerifyChild
{
    public sealed record Outcome(double PeakRssMb, double Seconds, string Output, string Method);

    /// <summary>The CLI's ledger.dll next to this harness's build, or null when it has not been built.</summary>
    public static string? CliPath()
    {
        // …/tests/Ledger.Benchmarks/bin/<configuration>/<tfm>/
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfm.Parent;
        var root = configuration?.Parent?.Parent?.Parent?.Parent;
        if (root is null) return null;
        var dll = Path.Combine(root.FullName, "src", "Ledger.Cli", "bin", configuration!.Name, tfm.Name, "ledger.dll");
        return File.Exists(dll) ? dll : null;
    }

    public static async Task<Outcome> RunAsync(string cliDll, string connectionString, string schema, string verifierKey, CancellationToken ct)
    {
        var run = await CliChild.RunAsync(cliDll, "verify", ["--key", verifierKey], connectionString, schema, [], ct);
        return new Outcome(run.PeakRssMb, run.Seconds, run.Output, run.Method);
    }
}
