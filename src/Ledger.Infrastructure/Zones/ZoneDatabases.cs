using Npgsql;

namespace Ledger.Infrastructure.Zones;

/// <summary>A zone's (or the registry's) database, created on its server when it does not exist and the connecting role may.</summary>
public static class ZoneDatabases
{
    /// <summary>Whether the database <paramref name="connectionString"/> names exists, asked on its server's maintenance database (so an unreachable server throws).</summary>
    public static async Task<bool> ExistsAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = await MaintenanceAsync(connectionString, ct);
        await using var exists = new NpgsqlCommand("select exists (select 1 from pg_database where datname = $1)", connection);
        exists.Parameters.AddWithValue(NameOf(connectionString));
        return (bool)(await exists.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Creates the database <paramref name="connectionString"/> names unless it exists; answers whether it created it.</summary>
    public static async Task<bool> CreateIfMissingAsync(string connectionString, CancellationToken ct)
    {
        if (await ExistsAsync(connectionString, ct)) return false;
        try
        {
            await using var connection = await MaintenanceAsync(connectionString, ct);
            await using var create = new NpgsqlCommand($"create database {Quoted(connectionString)}", connection);
            await create.ExecuteNonQueryAsync(ct);
            return true;
        }
        catch (PostgresException raced) when (raced.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            return false;
        }
    }

    /// <summary>Drops a database this tool created a moment ago and could not finish: nothing half-written stays behind.</summary>
    public static async Task DropAsync(string connectionString, CancellationToken ct)
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = await MaintenanceAsync(connectionString, ct);
        await using var drop = new NpgsqlCommand($"drop database if exists {Quoted(connectionString)} with (force)", connection);
        await drop.ExecuteNonQueryAsync(ct);
    }

    private static string NameOf(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString).Database ?? throw new ArgumentException("the connection string names no database (Database=…)");

    private static string Quoted(string connectionString) => $"\"{NameOf(connectionString).Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    // The server's maintenance database, as the same role: CREATE and DROP DATABASE run outside the database they name.
    private static async Task<NpgsqlConnection> MaintenanceAsync(string connectionString, CancellationToken ct)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false }.ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
