using System.CommandLine;

namespace Ledger.Cli;

// An explicit entry point, so the only `Program` in the solution is the API's (its tests host it by that name).
public static class LedgerCommandLine
{
    public static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("ledger — the cross-regional supervision ledger's command-line tool");
        foreach (var command in Verbs.All())
            root.Subcommands.Add(command);
        try
        {
            return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (CliFailure failure)
        {
            await Console.Error.WriteLineAsync($"ledger: {failure.Message}");
            return failure.ExitCode;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("ledger: cancelled");
            return 130;
        }
        catch (Exception unexpected) when (Environment.GetEnvironmentVariable("LEDGER_DEBUG") is null)
        {
            // One line for the user; LEDGER_DEBUG=1 shows the whole exception.
            await Console.Error.WriteLineAsync($"ledger: failed: {unexpected.Message}");
            return 1;
        }
    }
}
