using Npgsql;

namespace Ledger.Api.Tests.Support;

/// <summary>
/// The real PostgreSQL the tests run against: <c>LEDGER_TEST_CONNECTION</c> when set, otherwise the
/// private cluster's <c>ledger_test</c> database that <c>./ops/ledger test</c> starts. Every fixture
/// works in a schema of its own and drops it afterwards, so classes can run in parallel.
/// </summary>
public static class TestDatabase
{
    public static string ConnectionString { get; } =
        Environment.GetEnvironmentVariable("LEDGER_TEST_CONNECTION")
        ?? "Host=127.0.0.1;Port=55432;Database=ledger_test;Username=postgres;Max Auto Prepare=50;Auto Prepare Min Usages=2";

    public static string NewSchemaName(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)];

    public static async Task DropSchemaAsync(string schema)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"drop schema if exists \"{schema}\" cascade", connection);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
