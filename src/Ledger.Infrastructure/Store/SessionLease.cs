using System.Globalization;
using Npgsql;

namespace Ledger.Infrastructure.Store;

/// <summary>
/// A lease on every database session of a node (<c>Ledger:SessionLease</c>; the API's default is 30 s).
/// PostgreSQL ends a session that has said nothing for that long, idle or idle in a transaction, and with it
/// every lock the session holds: the deadline clock's and the projection daemon's advisory locks and the
/// row locks of a transaction left open. A node that is alive renews its sessions with Npgsql's keepalive,
/// sent every quarter of the lease while a connection is idle (pooled ones included). A node that is paused
/// (SIGSTOP, a frozen virtual machine) sends nothing, so its leadership ends within the lease, even though its
/// kernel still answers TCP keepalives; when it resumes, its first statement on such a session fails, and the
/// clock steps down.
/// </summary>
public static class SessionLease
{
    public const string Setting = "Ledger:SessionLease";

    /// <summary>Below this the keepalive (a quarter of the lease) would have to be sent more than once a second.</summary>
    public static readonly TimeSpan Shortest = TimeSpan.FromSeconds(4);

    /// <summary>The connection string with the lease's server settings and a keepalive that renews it.</summary>
    public static string Apply(string connectionString, TimeSpan lease)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var milliseconds = ((long)lease.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        builder.Options = $"{builder.Options} -c idle_session_timeout={milliseconds} -c idle_in_transaction_session_timeout={milliseconds}".Trim();
        builder.KeepAlive = KeepAliveWithin(builder.KeepAlive, lease);
        return builder.ConnectionString;
    }

    /// <summary>A keepalive (seconds) that renews a lease: the one configured if it is short enough, else a quarter of the lease.</summary>
    public static int KeepAliveWithin(int configured, TimeSpan lease)
    {
        var quarter = Math.Max(1, (int)(lease.TotalSeconds / 4));
        return configured > 0 && configured <= quarter ? configured : quarter;
    }
}
