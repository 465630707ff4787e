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

    /// <summary>Runs a statement as the tests' user (a superuser: tests add triggers to make PostgreSQL refuse a write).</summary>
    public static async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// A trigger on <paramref name="schema"/>'s events table that makes PostgreSQL refuse, with
    /// <paramref name="message"/>, every append to <paramref name="streamKey"/> of the given event types:
    /// a real failure of one stream's commit, nothing else touched.
    /// </summary>
    public static Task RefuseAppendsAsync(string schema, string streamKey, string message, params string[] eventTypes) => ExecuteAsync($$"""
        create function "{{schema}}".refuse_appends() returns trigger language plpgsql as $f$
        begin
            raise exception '{{message}}';
        end $f$;
        create trigger refuse_appends before insert on "{{schema}}".mt_events for each row
            when (new.stream_id = '{{streamKey}}' and new.type = any (array['{{string.Join("','", eventTypes)}}']))
            execute function "{{schema}}".refuse_appends();
        """);

    public static async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
