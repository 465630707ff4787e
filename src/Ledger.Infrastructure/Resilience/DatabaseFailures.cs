using System.Net.Sockets;
using Npgsql;
using Polly.CircuitBreaker;

namespace Ledger.Infrastructure.Resilience;

/// <summary>Tells a database that cannot be reached from a request PostgreSQL refused.</summary>
public static class DatabaseFailures
{
    /// <summary>How long a client is asked to wait (Retry-After, seconds) when the database is unavailable: the API's answers and the console's page alike.</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>
    /// True when the failure, or one it wraps, says PostgreSQL could not be reached or dropped the
    /// connection: refused or broken sockets, a server shutting down or starting up, out of room (a
    /// full pg_wal, too many connections), an open circuit. An error PostgreSQL answered about the
    /// request itself (a constraint, a syntax error) is not one.
    /// </summary>
    public static bool IsUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException pg:
                    // 08: the connection; 53: the server out of room (a full disk or pg_wal, memory, connections);
                    // 57P: the server shutting down, starting up or ending the session; 58: its own I/O failing.
                    return pg.SqlState.StartsWith("08", StringComparison.Ordinal)
                        || pg.SqlState.StartsWith("53", StringComparison.Ordinal)
                        || pg.SqlState.StartsWith("57P", StringComparison.Ordinal)
                        || pg.SqlState.StartsWith("58", StringComparison.Ordinal);
                case NpgsqlException or SocketException or BrokenCircuitException:
                    return true;
                case AggregateException aggregate:
                    return aggregate.InnerExceptions.Any(IsUnavailable);
            }
        }
        return false;
    }

    /// <summary>
    /// True when PostgreSQL itself answered with an error about the request (a constraint, a value it
    /// cannot hold): the transaction is known to be rolled back and the connection is still up.
    /// </summary>
    public static bool IsRefusal(Exception exception) => FindRefusal(exception) is not null;

    /// <summary>The error PostgreSQL answered with, unless the database was unavailable.</summary>
    public static PostgresException? FindRefusal(Exception exception)
    {
        if (IsUnavailable(exception)) return null;
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is PostgresException pg) return pg;
            if (e is AggregateException aggregate)
                return aggregate.InnerExceptions.Select(FindRefusal).FirstOrDefault(x => x is not null);
        }
        return null;
    }
}
