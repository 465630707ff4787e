namespace Ledger.Cli;

/// <summary>A failure the user can act on: printed as one line, never as a stack trace.</summary>
public sealed class CliFailure(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
