using System.Diagnostics;

namespace Ledger.Integrity.Tests.Support;

/// <summary>
/// The built command-line tool run as a user runs it, in a child process (this project does not reference
/// Ledger.Cli): its exit code and what it wrote. The tool must have been built in the same configuration
/// (the solution build does that).
/// </summary>
internal static class LedgerTool
{
    public static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(LedgerDll());
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment.Remove("LEDGER_DEBUG");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    // tests/Ledger.Integrity.Tests/bin/<Configuration>/net10.0/ → src/Ledger.Cli/bin/<Configuration>/net10.0/ledger.dll
    private static string LedgerDll()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory);
        var framework = here.Name;
        var configuration = here.Parent!.Name;
        var repository = here;
        while (repository is not null && !File.Exists(Path.Combine(repository.FullName, "Ledger.sln"))) repository = repository.Parent;
        Assert.True(repository is not null, $"no Ledger.sln above {AppContext.BaseDirectory}");
        var dll = Path.Combine(repository!.FullName, "src", "Ledger.Cli", "bin", configuration, framework, "ledger.dll");
        Assert.True(File.Exists(dll), $"the command-line tool is not built: dotnet build src/Ledger.Cli -c {configuration} (looked for {dll})");
        return dll;
    }
}
