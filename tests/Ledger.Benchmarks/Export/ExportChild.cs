using System.Diagnostics;
using System.Globalization;
using Ledger.Benchmarks.Integrity;

namespace Ledger.Benchmarks.Export;

/// <summary>
/// <c>ledger export --all --out DIR</c> as an auditor runs it: the command-line tool (src/Ledger.Cli,
/// built in the harness's configuration, found as <see cref="VerifyChild.CliPath"/> finds it) in a
/// process of its own against a ledger schema, with an empty temporary data folder (so it signs its
/// checkpoint with a key of its own) and no token (the access log records the operating-system
/// account). Times the whole process, start-up included, and reports its peak resident set size: from
/// GNU time (<c>/usr/bin/time -f %M</c>) when installed, else by polling VmHWM in /proc/&lt;pid&gt;/status.
/// </summary>
public static class ExportChild
{
    private const string GnuTime = "/usr/bin/time";

    public sealed record Outcome(long Events, double PeakRssMb, double Seconds, string Output, string Method);

    public static async Task<Outcome> RunAsync(string cliDll, string connectionString, string schema, string outDirectory, CancellationToken ct)
    {
        var dataDir = Directory.CreateTempSubdirectory("ledger-bench-export-");
        var timeFile = Path.Combine(dataDir.FullName, "time.txt");
        try
        {
            var useTime = File.Exists(GnuTime);
            var start = new ProcessStartInfo(useTime ? GnuTime : "dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            if (useTime)
            {
                foreach (var a in new[] { "-f", "%M", "-o", timeFile, "dotnet" }) start.ArgumentList.Add(a);
            }
            foreach (var a in new[] { cliDll, "export", "--all", "--out", outDirectory }) start.ArgumentList.Add(a);
            start.Environment["ConnectionStrings__Ledger"] = connectionString;
            start.Environment["Ledger__Schema"] = schema;
            start.Environment["LEDGER_DATA_DIR"] = dataDir.FullName;
            start.Environment.Remove("LEDGER_CHECKPOINT_KEY");
            start.Environment.Remove("LEDGER_TOKEN");

            var watch = Stopwatch.StartNew();
            using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start ledger export");
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            long polledKb = 0;
            if (!useTime)
            {
                while (!process.HasExited)
                {
                    polledKb = Math.Max(polledKb, VmHwmKb(process.Id) ?? 0);
                    await Task.Delay(20, ct);
                }
            }
            await process.WaitForExitAsync(ct);
            watch.Stop();
            var output = (await stdout).Trim();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"ledger export on {schema} exited with {process.ExitCode}: {output} {(await stderr).Trim()}");

            // "exported N events from S streams to DIR, proved in the checkpoint of tree size T"
            var words = output.Split(' ');
            var at = Array.IndexOf(words, "exported");
            if (at < 0 || at + 1 >= words.Length || !long.TryParse(words[at + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var events))
                throw new InvalidOperationException($"ledger export on {schema} did not say how many events it exported: {output}");
            var kb = useTime
                ? long.Parse((await File.ReadAllLinesAsync(timeFile, ct)).Last(l => l.Trim().Length > 0).Trim(), CultureInfo.InvariantCulture)
                : polledKb;
            return new Outcome(events, kb / 1024.0, watch.Elapsed.TotalSeconds, output, useTime ? "GNU time %M" : "VmHWM polled every 20 ms");
        }
        finally
        {
            dataDir.Delete(recursive: true);
        }
    }

    private static long? VmHwmKb(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return null;
    }
}
