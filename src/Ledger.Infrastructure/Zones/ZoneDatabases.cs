using Npgsql;

namespace Ledger.Infrastructure.Zones;

/// <summary>A zone's (or the registry's) database, created on its server when it does not exist and the connecting role may.</summary>
public static class ZoneDatabases
{
    /// <summary>Whether the database <paramref name="connectionString"/> names exists, asked on its server's maintenance database (so an unreachable server throws).</summary>
    public static async Task<bool> ExistsAsync(string connectionString, CancellationToken ct)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database ?? throw new ArgumentException("the connection string names no database (Database=…)");
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false }.ConnectionString);
        await connection.OpenAsync(ct);
        await using var exists = new NpgsqlCommand("select exists (select 1 from pg_database where datname = $1)", connection);
        exists.Parameters.AddWithValue(database);
        return (bool)(await exists.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Creates the database <paramref name="connectionString"/> names unless it exists; answers whether it created it.</summary>
    public static async Task<bool> CreateIfMissingAsync(string connectionString, CancellationToken ct)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        var database = target.Database ?? throw new ArgumentException("the connection string names no database (Database=…)");
        // Asked on the server's maintenance database, as the same role: CREATE DATABASE runs outside any database.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false }.ConnectionString);
        await connection.OpenAsync(ct);
        await using (var exists = new NpgsqlCommand("select exists (select 1 from pg_database where datname = $1)", connection))
        {
            exists.Parameters.AddWithValue(database);
            if ((bool)(await exists.ExecuteScalarAsync(ct))!) return false;
        }
        try
        {
            await using var create = new NpgsqlCommand($"create database \"{database.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
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
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false }.ConnectionString);
        await connection.OpenAsync(ct);
        await using var drop = new NpgsqlCommand($"drop database if exists \"{database.Replace("\"", "\"\"", StringComparison.Ordinal)}\" with (force)", connection);
        await drop.ExecuteNonQueryAsync(ct);
    }
}
