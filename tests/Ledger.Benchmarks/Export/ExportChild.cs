using System.Globalization;
using Ledger.Benchmarks.Integrity;

namespace Ledger.Benchmarks.Export;

/// <summary>
/// <c>ledger export --all --out DIR</c> as an auditor runs it: the command-line tool (src/Ledger.Cli,
/// built in the harness's configuration, found as <see cref="VerifyChild.CliPath"/> finds it) in a
/// process of its own (<see cref="CliChild"/>) against a ledger schema, with an empty temporary data
/// folder (so it signs its checkpoint with a key of its own) and no token (the access log records the
/// operating-system account). Times the whole process, start-up included, and reports its peak
/// resident set size.
/// </summary>
public static class ExportChild
{
    public sealed record Outcome(long Events, double PeakRssMb, double Seconds, string Output, string Method);

    public static async Task<Outcome> RunAsync(string cliDll, string connectionString, string schema, string outDirectory, CancellationToken ct)
    {
        var run = await CliChild.RunAsync(cliDll, "export", ["--all", "--out", outDirectory], connectionString, schema, ["LEDGER_TOKEN"], ct);

        // "exported N events from S streams to DIR, proved in the checkpoint of tree size T"
        var words = run.Output.Split(' ');
        var at = Array.IndexOf(words, "exported");
        if (at < 0 || at + 1 >= words.Length || !long.TryParse(words[at + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var events))
            throw new InvalidOperationException($"ledger export on {schema} did not say how many events it exported: {run.Output}");
        return new Outcome(events, run.PeakRssMb, run.Seconds, run.Output, run.Method);
    }
}
