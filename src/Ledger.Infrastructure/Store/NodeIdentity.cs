using Npgsql;

namespace Ledger.Infrastructure.Store;

/// <summary>
/// A node's name on its database sessions: the store's sessions carry "ledger " and the node's id (the one
/// the deadline clock's election knows it by) as their application name in pg_stat_activity, after any name
/// the connection string gives, so an operator, and the shard watchdog, can tell which node holds a lock.
/// </summary>
public static class NodeIdentity
{
    public static string ApplicationName(string nodeId) => "ledger " + nodeId;

    /// <summary>The connection string with the node's application name (after the configured one, if any).</summary>
    public static string Named(string connectionString, string nodeId)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder.ApplicationName = string.IsNullOrEmpty(builder.ApplicationName) ? ApplicationName(nodeId) : $"{builder.ApplicationName} {ApplicationName(nodeId)}";
        return builder.ConnectionString;
    }
}
