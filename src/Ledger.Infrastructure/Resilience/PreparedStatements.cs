using Npgsql;

namespace Ledger.Infrastructure.Resilience;

/// <summary>
/// Keeps a connection that PostgreSQL refused a statement on from serving the next request out of step.
///
/// With auto-prepare on (<c>Max Auto Prepare</c> in the connection strings), Npgsql 10.0.3 prepares a
/// statement on its second use by sending Parse, Bind and Describe together. When PostgreSQL refuses the
/// parameters at Bind (a value it cannot hold: U+0000 in text or jsonb, class 22), Npgsql has already
/// marked the statement prepared but never read its row description. The next execution of that
/// statement on the same physical connection then expects no rows, receives one, and fails with
/// "Received unexpected backend message DataRow" — in whichever request the pool hands the connection
/// to next. (Reproduced with Npgsql alone: two refused executions of a row-returning statement, then a
/// valid one, on a pool of one connection.) A refusal at execution, such as a unique violation, does not
/// do this: the description was read by then.
/// </summary>
public static class PreparedStatements
{
    /// <summary>
    /// True when PostgreSQL refused a value (class 22, data exception: the refusals that come at Bind).
    /// A version conflict or a duplicate key is refused at execution and leaves the connection in step,
    /// so it costs no reset: those are the write path's everyday refusals under contention.
    /// </summary>
    public static bool MayBeOutOfStep(Exception exception) =>
        DatabaseFailures.FindRefusal(exception)?.SqlState.StartsWith("22", StringComparison.Ordinal) == true;

    /// <summary>
    /// Drops every statement prepared on <paramref name="connection"/>, on the server and in Npgsql's
    /// bookkeeping alike, so both start again in step. If that fails too, Npgsql breaks the connection,
    /// and a broken connection never goes back to the pool.
    /// </summary>
    public static void Reset(NpgsqlConnection connection)
    {
        if (connection.FullState != System.Data.ConnectionState.Open) return;
        try
        {
            connection.UnprepareAll();
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            // The connection is broken and will be discarded rather than pooled.
        }
    }

    /// <summary>
    /// For connections the ledger does not hold itself (Marten's query sessions return theirs to the
    /// pool before the error reaches us): when PostgreSQL refused a value (class 22, data exception),
    /// the pool is cleared, so the idle connection it was refused on is closed instead of reused.
    /// Rare by design — the API refuses such values before they reach PostgreSQL — and cheap when it
    /// happens: the pool reopens connections as needed.
    /// </summary>
    public static bool ClearPoolAfter(Exception exception, NpgsqlDataSource dataSource)
    {
        if (!MayBeOutOfStep(exception)) return false;
        dataSource.Clear();
        return true;
    }
}
