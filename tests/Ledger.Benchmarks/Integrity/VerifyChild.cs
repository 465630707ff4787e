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
    public static string? CliPath() => BuiltDll("Ledger.Cli", "ledger.dll");

    /// <summary>A project's dll under src/, built in this harness's configuration, or null when it has not been built.</summary>
    public static string? BuiltDll(string project, string dll)
    {
        // …/tests/Ledger.Benchmarks/bin/<configuration>/<tfm>/
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfm.Parent;
        var root = configuration?.Parent?.Parent?.Parent?.Parent;
        if (root is null) return null;
        var path = Path.Combine(root.FullName, "src", project, "bin", configuration!.Name, tfm.Name, dll);
        return File.Exists(path) ? path : null;
    }

    public static async Task<Outcome> RunAsync(string cliDll, string connectionString, string schema, string verifierKey, CancellationToken ct)
    {
        var run = await CliChild.RunAsync(cliDll, "verify", ["--key", verifierKey], connectionString, schema, [], ct);
        return new Outcome(run.PeakRssMb, run.Seconds, run.Output, run.Method);
    }
}
