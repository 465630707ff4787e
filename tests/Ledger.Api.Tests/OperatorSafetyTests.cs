using Ledger.Api.Tests.Support;
using Npgsql;

namespace Ledger.Api.Tests;

/// <summary>
/// The verbs that load or drop a ledger decide by where the connection goes: the private cluster
/// gets the demo scenario and may be reset without more ado; a database named by a configured
/// connection string gets the scenario only with <c>--demo</c> and is reset only with
/// <c>--configured-database</c>, and reset says what it drops before it drops it. Each test points
/// the tool at a schema of its own in the tests' database, as a configured connection string.
/// </summary>
[Collection(AuditCliCollection.Name)]
public sealed class OperatorSafetyTests : IAsyncLifetime
{
    private static readonly string[] Variables = ["ConnectionStrings__Ledger", "LEDGER_DATA_DIR", "LEDGER_PG_PORT"];
    private SavedEnvironment _saved = null!;
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("ledger-operator-").FullName;
    private readonly string _schema = TestDatabase.NewSchemaName("operator");
    private readonly string _database = new NpgsqlConnectionStringBuilder(TestDatabase.ConnectionString).Database!;

    public Task InitializeAsync()
    {
        _saved = new SavedEnvironment(Variables);
        Environment.SetEnvironmentVariable("ConnectionStrings__Ledger", TestDatabase.ConnectionString);
        Environment.SetEnvironmentVariable("LEDGER_DATA_DIR", _dataDirectory);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _saved.Restore();
        await TestDatabase.DropSchemaAsync(_schema);
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task Setup_against_a_configured_database_applies_the_schema_and_loads_no_scenario()
    {
        var (exit, output, error) = await LedgerTool.RunAsync(_schema, "setup");

        Assert.True(exit == 0, error);
        Assert.Contains($"schema '{_schema}' applied in database '{_database}'", output);
        Assert.Contains("the demo scenario is not loaded into a configured database", output);
        Assert.Contains("--demo", output);
        Assert.Equal(0L, await TestDatabase.ScalarAsync<long>($"select count(*) from \"{_schema}\".mt_events"));
    }

    [Fact]
    public async Task Setup_through_a_multi_host_connection_string_keeps_to_the_primary_and_names_every_host()
    {
        // As `./ops/ledger cluster up` configures the nodes (ops/docs/deployment.md): the members one after the
        // other, a session kept only on the primary. The tests' one server stands for two members here.
        var single = new NpgsqlConnectionStringBuilder(TestDatabase.ConnectionString);
        var hosts = $"{single.Host}:{single.Port},{single.Host}:{single.Port}";
        var members = new NpgsqlConnectionStringBuilder(TestDatabase.ConnectionString) { Host = hosts, TargetSessionAttributes = "primary" };
        Environment.SetEnvironmentVariable("ConnectionStrings__Ledger", members.ConnectionString);

        var (exit, output, error) = await LedgerTool.RunAsync(_schema, "setup");

        Assert.True(exit == 0, error);
        Assert.Contains($"schema '{_schema}' applied in database '{_database}' on {hosts} (a configured connection string)", output);
        Assert.Equal(1L, await SchemaCountAsync());
        var verify = await LedgerTool.RunAsync(_schema, "verify");
        Assert.True(verify.Exit == 0, verify.Error);
    }

    [Fact]
    public async Task Seed_against_a_configured_database_refuses_without_demo_and_loads_with_it()
    {
        var (exit, output, error) = await LedgerTool.RunAsync(_schema, "seed");

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.StartsWith($"ledger: seed loads a demo scenario, and the ledger's connection string is configured (database '{_database}'", error, StringComparison.Ordinal);
        Assert.Contains("add --demo to load it there", error);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.Equal(0L, await SchemaCountAsync());

        var file = Path.Combine(_dataDirectory, "one-government.json");
        await File.WriteAllTextAsync(file, """
            {"name": "one-government", "loadYearFrom": "2026-02-01", "steps": [
              {"at": "2021-03-01T01:00:00Z", "actor": "admin", "post": "/api/governments",
               "body": {"governmentId": "430181", "nameZh": "浏阳市", "nameEn": "Liuyang", "province": "Hunan",
                        "prefecture": "Changsha", "level": "CountyLevelCity"}}]}
            """);
        var demo = await LedgerTool.RunAsync(_schema, "seed", "--demo", "--file", file);

        Assert.True(demo.Exit == 0, demo.Error);
        Assert.Contains("scenario 'one-government'", demo.Output);
        Assert.Equal(1L, await TestDatabase.ScalarAsync<long>($"select count(*) from \"{_schema}\".mt_events where stream_id = 'government/430181'"));
    }

    [Fact]
    public async Task Reset_refuses_a_configured_database_unless_told_and_says_what_it_drops_before_dropping()
    {
        await ExecuteAsync($"create schema \"{_schema}\"; create table \"{_schema}\".kept (id int)");
        var place = $"database '{_database}' on {Host()} (a configured connection string)";

        var (exit, output, error) = await LedgerTool.RunAsync(_schema, "reset", "--yes");

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Equal($"ledger: reset drops only the private cluster's ledger, and schema '{_schema}' is in {place}: add --configured-database to drop it there\n",
            error.ReplaceLineEndings("\n"));
        Assert.Equal(1L, await SchemaCountAsync());

        var asked = await LedgerTool.RunAsync(_schema, "reset");
        Assert.Equal(2, asked.Exit);
        Assert.Contains($"this drops schema '{_schema}' in {place}", asked.Error);
        Assert.Contains("reset --yes --configured-database", asked.Error);
        Assert.Equal(1L, await SchemaCountAsync());

        var told = await LedgerTool.RunAsync(_schema, "reset", "--yes", "--configured-database");

        Assert.True(told.Exit == 0, told.Error);
        Assert.Equal([$"dropping schema '{_schema}' in {place}", $"dropped schema '{_schema}' in {place}"],
            told.Output.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n'));
        Assert.Equal(0L, await SchemaCountAsync());
    }

    [Fact]
    public async Task Reset_without_yes_names_the_private_clusters_database_and_schema()
    {
        Environment.SetEnvironmentVariable("ConnectionStrings__Ledger", null);
        Environment.SetEnvironmentVariable("LEDGER_PG_PORT", "54999"); // nothing is dropped, nothing connects

        var (exit, output, error) = await LedgerTool.RunAsync(_schema, "reset");

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Equal($"ledger: this drops schema '{_schema}' in database 'ledger' on 127.0.0.1:54999 (the private cluster), with every event in it; " +
            "run ./ops/ledger reset --yes to do it\n", error.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("reset", "--yes", "--configured")]
    [InlineData("setup", "--demo", "extra")]
    public async Task Bad_usage_is_one_line_and_exit_2(params string[] args)
    {
        var (exit, output, error) = await LedgerTool.RunAsync(_schema, args);

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.StartsWith("ledger: ", error, StringComparison.Ordinal);
        Assert.EndsWith($"(ledger {args[0]} --help lists what it takes)\n", error.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.Equal(0L, await SchemaCountAsync());
    }

    private static string Host()
    {
        var connection = new NpgsqlConnectionStringBuilder(TestDatabase.ConnectionString);
        return $"{connection.Host}:{connection.Port}";
    }

    private Task<long> SchemaCountAsync() =>
        TestDatabase.ScalarAsync<long>($"select count(*) from information_schema.schemata where schema_name = '{_schema}'");

    private static async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
