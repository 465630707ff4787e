using System.CommandLine;
using System.CommandLine.Parsing;
using Ledger.Infrastructure;
using Npgsql;

namespace Ledger.Cli;

// An explicit entry point, so the only `Program` in the solution is the API's (its tests host it by that name).
public static class LedgerCommandLine
{
    public static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("ledger — the cross-regional supervision ledger's command-line tool");
        foreach (var command in Verbs.All())
            root.Subcommands.Add(command);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // Bad usage gets one line naming the first mistake, not the help page after it.
            var verbs = new List<string>();
            for (var result = parsed.CommandResult; result is not null && result.Command is not RootCommand; result = result.Parent as CommandResult)
                verbs.Insert(0, result.Command.Name);
            var help = string.Join(' ', ["ledger", .. verbs, "--help"]);
            await Console.Error.WriteLineAsync($"ledger: {parsed.Errors[0].Message.TrimEnd('.')} ({help} lists what it takes)");
            return 2;
        }
        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (CliFailure failure)
        {
            await Console.Error.WriteLineAsync($"ledger: {failure.Message}");
            return failure.ExitCode;
        }
        catch (Exception refused) when (ValidatedSettings.Refusal(refused) is { } settings)
        {
            // A setting that cannot be used: its key and what it should be, in one line.
            await Console.Error.WriteLineAsync($"ledger: {settings}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("ledger: cancelled");
            return 130;
        }
        catch (Exception refused) when (Refusal(refused) is { } privilege && Environment.GetEnvironmentVariable("LEDGER_DEBUG") is null)
        {
            // The application's role creates and rewrites nothing (ops/docs/roles.md); Marten's own
            // failure would print its whole migration.
            await Console.Error.WriteLineAsync($"ledger: PostgreSQL refused ({privilege}): a schema not yet applied, or changed by a new version, " +
                "is applied by its owner with ./ops/ledger setup (ops/docs/roles.md)");
            return 1;
        }
        catch (Exception unexpected) when (Environment.GetEnvironmentVariable("LEDGER_DEBUG") is null)
        {
            // One line for the user; LEDGER_DEBUG=1 shows the whole exception.
            await Console.Error.WriteLineAsync($"ledger: failed: {unexpected.Message}");
            return 1;
        }
    }

    private static string? Refusal(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is PostgresException { SqlState: PostgresErrorCodes.InsufficientPrivilege } refused)
                return refused.MessageText;
        }
        return null;
    }
}
