using System.Net.Sockets;
using Npgsql;
using Polly.CircuitBreaker;

namespace Ledger.Infrastructure.Resilience;

/// <summary>Tells a database that cannot be reached from a request PostgreSQL refused.</summary>
public static class DatabaseFailures
{
    /// <summary>
    /// True when the failure, or one it wraps, says PostgreSQL could not be reached or dropped the
    /// connection: refused or broken sockets, a server shutting down or starting up, too many
    /// connections, an open circuit. An error PostgreSQL answered about the request itself (a
    /// constraint, a syntax error) is not one.
    /// </summary>
    public static bool IsUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException pg:
                    return pg.SqlState.StartsWith("08", StringComparison.Ordinal)
                        || pg.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
                            or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections;
                case NpgsqlException or SocketException or BrokenCircuitException:
                    return true;
                case AggregateException aggregate:
                    return aggregate.InnerExceptions.Any(IsUnavailable);
            }
        }
        return false;
    }
}
