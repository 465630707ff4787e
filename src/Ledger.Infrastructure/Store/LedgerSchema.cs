using Ledger.Infrastructure.Accounts;
using Ledger.Infrastructure.Audit;
using Ledger.Infrastructure.Evidence;
using Ledger.Infrastructure.Integrity;
using Npgsql;

namespace Ledger.Infrastructure.Store;

/// <summary>
/// The whole schema, applied by its owner (<c>ledger setup</c>): Marten's tables and functions, the
/// Merkle log and the guards (<see cref="IntegritySchema"/>), and the tables the ledger otherwise
/// creates on first use (accounts, access log, evidence files), so that the application's role, which
/// may create nothing, finds everything in place; then that role's privileges (<see cref="LedgerRoles"/>).
/// </summary>
public static class LedgerSchema
{
    /// <summary>Whether PostgreSQL answers and the ledger's event table exists in the configured schema.</summary>
    public static async Task<bool> InPlaceAsync(LedgerSettings settings, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(settings.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("select to_regclass(@table) is not null", connection);
        command.Parameters.AddWithValue("table", settings.Schema + ".mt_events");
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Applies the schema as <see cref="LedgerSettings.OwnerConnectionString"/>, the first time recording the zone
    /// (<see cref="LedgerSettings.Zone"/>), its log's <paramref name="origin"/> (by default <c>ledger.local/</c> + the zone)
    /// and its name as people read it (<c>zone add --name</c>); returns the role granted to, if any.
    /// </summary>
    public static async Task<string?> ApplyAsync(LedgerSettings settings, CancellationToken ct, string? origin = null, string? zoneName = null)
    {
        origin ??= Zones.ZoneId.DefaultOrigin(settings.Zone);
        await using (var store = LedgerStore.Create(settings.OwnerConnectionString, settings.Schema, TimeProvider.System))
            await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await using var db = NpgsqlDataSource.Create(settings.OwnerConnectionString);
        await IntegritySchema.EnsureAsync(db, settings.Schema, ct);
        await AccountSchema.EnsureAsync(db, settings.Schema, ct);
        await AccessLogSchema.EnsureAsync(db, settings.Schema, ct);
        await ViewSnapshots.EnsureAsync(db, settings.Schema, ct);
        // Snapshots another build made are never read by this one: they only take room.
        await ViewSnapshots.PruneAsync(db, settings.Schema, ct);
        await EvidenceFiles.EnsureSchemaAsync(db, settings.Schema, ct);
        await Zones.ZoneIdentity.EnsureAsync(db, settings.Schema, settings.Zone, origin, zoneName, TimeProvider.System, ct);
        var app = settings.SeparateAppRole;
        if (app is not null)
            await LedgerRoles.GrantAsync(db, settings.Schema, app, ct);
        return app;
    }
}
