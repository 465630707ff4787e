using System.Runtime.CompilerServices;
using Ledger.Infrastructure.Resilience;
using Ledger.Infrastructure.Writing;
using Npgsql;

namespace Ledger.Infrastructure.Telemetry;

/// <summary>
/// How the ledger logs a failure: an expected outcome briefly, at Debug; a real failure once, at Error,
/// by the first of the ledger's loggers that sees it (the store's logger for a statement PostgreSQL
/// failed, else the clock pass or the API's problem mapping), which marks it so that the others add
/// their context in one line without a second error entry for the same failure.
/// </summary>
public static class FailureLog
{
    // Marked without touching the exception (its Data would show up in every later ToString).
    private static readonly ConditionalWeakTable<Exception, object> Logged = [];

    /// <summary>Marks the failure and every exception it wraps as logged at Error.</summary>
    public static void MarkLogged(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException) Logged.AddOrUpdate(e, true);
    }

    /// <summary>True when the failure, or one it wraps, was already logged at Error.</summary>
    public static bool IsLogged(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (Logged.TryGetValue(e, out _)) return true;
        return false;
    }

    /// <summary>
    /// True for what the write path turns into an answer rather than a failure: a stream that moved on
    /// (Marten's quick append raises MT003, its expected-version check), a second creator of a stream, or
    /// a second record of one idempotency key (a unique violation on those tables). The writer decides
    /// again; a client sees 201, 409 or 412, never 500.
    /// </summary>
    public static bool IsExpected(Exception exception)
    {
        if (LedgerWriter.IsConcurrencyFailure(exception)) return true;
        return DatabaseFailures.FindRefusal(exception) is { } refusal
            && (refusal.SqlState == StreamVersionMismatch
                || (refusal.SqlState == PostgresErrorCodes.UniqueViolation && refusal.TableName is "mt_streams" or "mt_events" or IdempotencyTable));
    }

    /// <summary>One line for a log entry: PostgreSQL's code and message when it reported the failure, else the exception's type and message.</summary>
    public static string Describe(Exception exception)
    {
        if (DatabaseFailures.FindRefusal(exception) is { } refusal) return $"PostgreSQL {refusal.SqlState}: {refusal.MessageText}";
        var innermost = exception;
        while (innermost.InnerException is not null && innermost is not NpgsqlException) innermost = innermost.InnerException;
        var message = innermost.Message.ReplaceLineEndings(" ");
        return $"{innermost.GetType().Name}: {message}";
    }

    /// <summary>SQLSTATE of Marten's quick append when the stream is not at the expected version.</summary>
    public const string StreamVersionMismatch = "MT003";

    private const string IdempotencyTable = "mt_doc_idempotencyrecord";
}
