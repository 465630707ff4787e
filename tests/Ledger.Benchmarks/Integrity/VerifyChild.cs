using System.Diagnostics;
using System.Globalization;

namespace Ledger.Benchmarks.Integrity;

/// <summary>
/// <c>ledger verify</c> as an auditor runs it: the command-line tool (src/Ledger.Cli, built in the
/// harness's configuration) in a process of its own against a ledger schema, trusting the verifier key
/// of the bench's checkpoint signer (<c>--key</c>; its data folder is an empty temporary one). Reports
/// the child's peak resident set size: from GNU time (<c>/usr/bin/time -f %M</c>) when installed, else
/// by polling VmHWM in /proc/&lt;pid&gt;/status (Linux) until it exits.
/// </summary>
public static class VerifyChild
{
    private const string GnuTime = "/usr/bin/time";

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
        var dataDir = Directory.CreateTempSubdirectory("ledger-bench-verify-");
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
            foreach (var a in new[] { cliDll, "verify", "--key", verifierKey }) start.ArgumentList.Add(a);
            start.Environment["ConnectionStrings__Ledger"] = connectionString;
            start.Environment["Ledger__Schema"] = schema;
            start.Environment["LEDGER_DATA_DIR"] = dataDir.FullName;
            start.Environment.Remove("LEDGER_CHECKPOINT_KEY");

            var watch = Stopwatch.StartNew();
            using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start ledger verify");
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
                throw new InvalidOperationException($"ledger verify on {schema} exited with {process.ExitCode}: {output} {(await stderr).Trim()}");

            var kb = useTime
                ? long.Parse((await File.ReadAllLinesAsync(timeFile, ct)).Last(l => l.Trim().Length > 0).Trim(), CultureInfo.InvariantCulture)
                : polledKb;
            return new Outcome(kb / 1024.0, watch.Elapsed.TotalSeconds, output, useTime ? "GNU time %M" : "VmHWM polled every 20 ms");
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
