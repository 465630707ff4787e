using System.Diagnostics;
using System.Globalization;

namespace Ledger.Benchmarks;

/// <summary>
/// The command-line tool (ledger.dll) run as an auditor runs it: a process of its own against a ledger
/// schema, with an empty temporary data folder and no checkpoint key in its environment. Times the
/// whole process, start-up included, and reports its peak resident set size: from GNU time
/// (<c>/usr/bin/time -f %M</c>) when installed, else by polling VmHWM in /proc/&lt;pid&gt;/status until it exits.
/// </summary>
public static class CliChild
{
    private const string GnuTime = "/usr/bin/time";

    public sealed record Outcome(string Output, double PeakRssMb, double Seconds, string Method);

    /// <summary>
    /// Runs <c>dotnet cliDll verb arguments…</c> to its end and throws on a non-zero exit with what it
    /// printed; the verb names the temporary data folder and the errors. <paramref name="unset"/> names the
    /// environment variables the child must not inherit besides the checkpoint key.
    /// </summary>
    public static async Task<Outcome> RunAsync(
        string cliDll, string verb, IEnumerable<string> arguments, string connectionString, string schema,
        IEnumerable<string> unset, CancellationToken ct)
    {
        var dataDir = Directory.CreateTempSubdirectory($"ledger-bench-{verb}-");
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
            start.ArgumentList.Add(cliDll);
            start.ArgumentList.Add(verb);
            foreach (var a in arguments) start.ArgumentList.Add(a);
            start.Environment["ConnectionStrings__Ledger"] = connectionString;
            start.Environment["Ledger__Schema"] = schema;
            start.Environment["LEDGER_DATA_DIR"] = dataDir.FullName;
            start.Environment.Remove("LEDGER_CHECKPOINT_KEY");
            foreach (var name in unset) start.Environment.Remove(name);

            var watch = Stopwatch.StartNew();
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start ledger {verb}");
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
                throw new InvalidOperationException($"ledger {verb} on {schema} exited with {process.ExitCode}: {output} {(await stderr).Trim()}");

            var kb = useTime
                ? long.Parse((await File.ReadAllLinesAsync(timeFile, ct)).Last(l => l.Trim().Length > 0).Trim(), CultureInfo.InvariantCulture)
                : polledKb;
            return new Outcome(output, kb / 1024.0, watch.Elapsed.TotalSeconds, useTime ? "GNU time %M" : "VmHWM polled every 20 ms");
        }
        finally
        {
            dataDir.Delete(recursive: true);
        }
    }

    /// <summary>The peak resident set size of a running process, from /proc; null once it is gone.</summary>
    internal static long? VmHwmKb(int pid)
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
