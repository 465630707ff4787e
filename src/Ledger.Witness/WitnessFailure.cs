namespace Ledger.Witness;

/// <summary>
/// A failure the operator can act on: printed as one line, never as a stack trace. Exit code 2 for bad
/// command-line input (a missing or mismatched key file, a log key that does not parse), 1 for the rest.
/// </summary>
internal sealed class WitnessFailure(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
