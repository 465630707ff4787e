using Microsoft.Extensions.Options;
using Npgsql;

namespace Ledger.Infrastructure.Zones;

/// <summary>
/// Which zone a ledger database belongs to, kept with its data: one row in <c>ledger_zone</c> of the ledger's schema,
/// written by the first setup (or the first node to start on an empty schema) and never changed. A node configured for
/// another zone refuses to start rather than sign that database's log under its own zone's name.
/// </summary>
public static class ZoneIdentity
{
    /// <summary>The zone and origin a database recorded.</summary>
    public sealed record Recorded(string Zone, string Origin, string? Name, DateTimeOffset RecordedAt);

    public static string SchemaSql(string schema) => $"""
        create table if not exists "{schema}".ledger_zone (
            id int primary key check (id = 1),
            zone_id text not null,
            origin text not null,
            name text,
            recorded_at timestamptz not null);
        """;

    /// <summary>
    /// Records <paramref name="zone"/>, <paramref name="origin"/> and the zone's <paramref name="name"/> as people read it
    /// (<c>zone add --name</c>; none at a node's start) unless the database holds a zone already; answers the one it holds.
    /// Throws <see cref="OptionsValidationException"/> naming <c>Ledger:Zone</c> when that is another zone.
    /// </summary>
    public static async Task<Recorded> EnsureAsync(NpgsqlDataSource db, string schema, string zone, string origin, string? name, TimeProvider time, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        if (await ReadAsync(connection, schema, ct) is not { } recorded)
        {
            // A node may check before Marten has made the schema; CREATE SCHEMA IF NOT EXISTS would need the database's
            // CREATE privilege even when the schema is there, which the application's role has not.
            await using (var exists = new NpgsqlCommand("select to_regnamespace($1) is null", connection))
            {
                exists.Parameters.AddWithValue($"\"{schema}\"");
                if ((bool)(await exists.ExecuteScalarAsync(ct))!)
                {
                    await using var schemaCommand = new NpgsqlCommand($"create schema if not exists \"{schema}\"", connection);
                    await schemaCommand.ExecuteNonQueryAsync(ct);
                }
            }
            await using (var create = new NpgsqlCommand(SchemaSql(schema), connection))
                await create.ExecuteNonQueryAsync(ct);
            await using (var insert = new NpgsqlCommand(
                $"""insert into "{schema}".ledger_zone (id, zone_id, origin, name, recorded_at) values (1, $1, $2, $3, $4) on conflict (id) do nothing""", connection))
            {
                insert.Parameters.AddWithValue(zone);
                insert.Parameters.AddWithValue(origin);
                insert.Parameters.AddWithValue((object?)name ?? DBNull.Value);
                insert.Parameters.AddWithValue(time.GetUtcNow());
                await insert.ExecuteNonQueryAsync(ct);
            }
            recorded = await ReadAsync(connection, schema, ct) ?? throw new InvalidOperationException("the zone row vanished after it was written");
        }
        if (!string.Equals(recorded.Zone, zone, StringComparison.Ordinal))
        {
            var database = new NpgsqlConnectionStringBuilder(db.ConnectionString).Database;
            throw new OptionsValidationException(ZoneId.Setting, typeof(Recorded),
                [$"{ZoneId.Setting} is '{zone}', but database '{database}' (schema '{schema}') holds the ledger of zone '{recorded.Zone}': " +
                 $"a node serves the zone of its database; set {ZoneId.Setting}={recorded.Zone} or point ConnectionStrings:Ledger at {zone}'s database"]);
        }
        return recorded;
    }

    /// <summary>The zone a database recorded, or null when it recorded none (or holds no ledger in <paramref name="schema"/>).</summary>
    public static async Task<Recorded?> ReadAsync(NpgsqlConnection connection, string schema, CancellationToken ct)
    {
        await using (var exists = new NpgsqlCommand("select to_regclass($1) is not null", connection))
        {
            exists.Parameters.AddWithValue($"\"{schema}\".ledger_zone");
            if (!(bool)(await exists.ExecuteScalarAsync(ct))!) return null;
        }
        await using var read = new NpgsqlCommand($"""select zone_id, origin, name, recorded_at from "{schema}".ledger_zone where id = 1""", connection);
        await using var reader = await read.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new Recorded(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3)) : null;
    }
}
