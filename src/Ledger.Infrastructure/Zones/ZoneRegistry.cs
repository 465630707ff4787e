using JasperFx;
using Ledger.Infrastructure.Store;
using Marten;
using Marten.Storage;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Ledger.Infrastructure.Zones;

/// <summary>
/// The master table of zones: Marten's database-per-tenant multi-tenancy with its tenant databases listed in a table
/// (<c>MultiTenantedDatabasesWithMasterDatabaseTable</c>; tenant id = zone id, the value = the connection string a node
/// reads that zone's database with). It lives in its own database (<c>ConnectionStrings:Zones</c>, default a database
/// <c>ledger_zones</c> on the server of the node's own), so a zone is added while every node runs: each lookup reads the
/// table again. Every zone's ledger is in the same schema (<c>Ledger:Schema</c>) of its own database.
/// </summary>
public sealed class ZoneRegistry : IAsyncDisposable
{
    public const string Setting = "ConnectionStrings:Zones";
    public const string DefaultDatabase = "ledger_zones";
    /// <summary>The schema of the registry database that holds Marten's master table (<c>mt_tenant_databases</c>).</summary>
    public const string Schema = "zones";
    private const string Table = "mt_tenant_databases";

    private readonly Lazy<DocumentStore> _store;

    public ZoneRegistry(string connectionString, string ledgerSchema, TimeProvider time)
    {
        ConnectionString = connectionString;
        LedgerSchema = ledgerSchema;
        _store = new Lazy<DocumentStore>(() => DocumentStore.For(opts =>
        {
            // The ledger's own mapping (documents, events, schema name), so that a zone's views read as its nodes wrote them…
            LedgerStore.Configure(opts, connectionString, ledgerSchema, time);
            // …in the database the master table names for the zone (the tenant).
            opts.MultiTenantedDatabasesWithMasterDatabaseTable(connectionString, Schema);
            // A reader never changes a zone's schema: its own nodes' setup applies it (zone add does for a new zone).
            opts.AutoCreateSchemaObjects = AutoCreate.None;
        }));
    }

    public string ConnectionString { get; }

    public string LedgerSchema { get; }

    /// <summary>The store whose tenants are the zones: <c>QuerySession(zoneId)</c> reads that zone's database.</summary>
    public DocumentStore Store => _store.Value;

    /// <summary>The registry a node (or the command-line tool) uses: <c>ConnectionStrings:Zones</c>, else <c>ledger_zones</c> beside <paramref name="ownConnection"/>.</summary>
    public static string ConnectionStringFrom(IConfiguration configuration, string ownConnection)
    {
        var configured = configuration.GetConnectionString("Zones");
        if (!string.IsNullOrWhiteSpace(configured)) return configured;
        return new NpgsqlConnectionStringBuilder(ownConnection) { Database = DefaultDatabase }.ConnectionString;
    }

    /// <summary>One registered zone: its id and the connection string nodes read it with.</summary>
    public sealed record Entry(string Zone, string ConnectionString);

    /// <summary>
    /// The zones registered now (read afresh, so a zone added a moment ago is in it); empty when the registry database
    /// or its table does not exist yet (no zone was ever added).
    /// </summary>
    public async Task<IReadOnlyList<Entry>> ListAsync(CancellationToken ct)
    {
        try
        {
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync(ct);
            if (!await TableExistsAsync(connection, ct)) return [];
            await using var command = new NpgsqlCommand($"""select tenant_id, connection_string from "{Schema}".{Table} where not disabled order by tenant_id""", connection);
            await using var reader = await command.ExecuteReaderAsync(ct);
            var zones = new List<Entry>();
            while (await reader.ReadAsync(ct)) zones.Add(new Entry(reader.GetString(0), reader.GetString(1)));
            return zones;
        }
        catch (PostgresException missing) when (missing.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            return [];
        }
    }

    /// <summary>The registry's database (created when missing and the role may) and its master table, before the first registration.</summary>
    public async Task EnsureAsync(CancellationToken ct)
    {
        await ZoneDatabases.CreateIfMissingAsync(ConnectionString, ct);
        // The master table itself is Marten's to create (AutoCreate.None above covers the zones' databases, not it).
        await ((MasterTableTenancy)Store.Options.Tenancy).TenantDatabase.ApplyAllConfiguredChangesToDatabaseAsync(AutoCreate.CreateOrUpdate);
    }

    /// <summary>
    /// Lets the nodes' application role (<paramref name="appRole"/>, where it exists on the registry's server) read the master
    /// table: the nodes read it for the national overview, and only <c>zone add</c>, as the owner, writes it.
    /// </summary>
    public async Task GrantReadAsync(string appRole, CancellationToken ct)
    {
        if (!LedgerRoles.IsRoleName(appRole)) throw new ArgumentException($"role '{appRole}' is not a plain name", nameof(appRole));
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(ct);
        await using var grant = new NpgsqlCommand($"""
            do $grant$
            begin
                if exists (select 1 from pg_roles where rolname = '{appRole}') then
                    grant usage on schema "{Schema}" to {appRole};
                    grant select on "{Schema}".{Table} to {appRole};
                end if;
            end
            $grant$;
            """, connection);
        await grant.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Registers <paramref name="zone"/> in the master table (<see cref="EnsureAsync"/> first).</summary>
    public Task RegisterAsync(string zone, string zoneConnection) =>
        ((MasterTableTenancy)Store.Options.Tenancy).AddDatabaseRecordAsync(zone, zoneConnection);

    private static async Task<bool> TableExistsAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var exists = new NpgsqlCommand("select to_regclass($1) is not null", connection);
        exists.Parameters.AddWithValue($"\"{Schema}\".{Table}");
        return (bool)(await exists.ExecuteScalarAsync(ct))!;
    }

    public async ValueTask DisposeAsync()
    {
        if (_store.IsValueCreated) await _store.Value.DisposeAsync();
    }
}
