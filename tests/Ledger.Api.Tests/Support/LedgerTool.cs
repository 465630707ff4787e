using Ledger.Cli;

namespace Ledger.Api.Tests.Support;

/// <summary>
/// The command-line tool run in-process, as the collection that reads its settings from the
/// environment runs it (never beside other test classes): what it printed and its exit code.
/// </summary>
public static class LedgerTool
{
    /// <summary>Runs <c>ledger args…</c>; with <paramref name="schema"/>, against that ledger schema for this call only.</summary>
    public static async Task<(int Exit, string Output, string Error)> RunAsync(string? schema, params string[] args)
    {
        var saved = Environment.GetEnvironmentVariable("Ledger__Schema");
        var (output, error) = (new StringWriter(), new StringWriter());
        var (savedOut, savedError) = (Console.Out, Console.Error);
        if (schema is not null) Environment.SetEnvironmentVariable("Ledger__Schema", schema);
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            var exit = await LedgerCommandLine.Main(args);
            return (exit, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(savedOut);
            Console.SetError(savedError);
            if (schema is not null) Environment.SetEnvironmentVariable("Ledger__Schema", saved);
        }
    }
}
