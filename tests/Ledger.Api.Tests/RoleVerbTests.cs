using Ledger.Api.Tests.Support;
using Ledger.Infrastructure.Store;

namespace Ledger.Api.Tests;

/// <summary>
/// <c>ledger roles sql</c> prints the very text setup grants (LedgerRoles), for a configured database's
/// administrator; setup with an owner's connection applies the schema as the owner and grants the
/// application's role; bad options are one line and exit 2.
/// </summary>
[Collection(AuditCliCollection.Name)]
public sealed class RoleVerbTests : IAsyncLifetime
{
    private static readonly string[] Variables = ["ConnectionStrings__Ledger", "ConnectionStrings__LedgerOwner", "LEDGER_DATA_DIR"];
    private SavedEnvironment _saved = null!;
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("ledger-role-verbs-").FullName;
    private readonly string _schema = TestDatabase.NewSchemaName("roles");

    public Task InitializeAsync()
    {
        _saved = new SavedEnvironment(Variables);
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
    public async Task Roles_sql_prints_the_roles_and_the_grants_that_setup_applies()
    {
        var (exit, output, error) = await LedgerTool.RunAsync(null, "roles", "sql", "--schema", "zone_b", "--app-role", "zone_b_app", "--owner-role", "zone_b_owner");

        Assert.True(exit == 0, error);
        Assert.Contains(LedgerRoles.RolesSql("zone_b", "zone_b_app", "zone_b_owner"), output);
        Assert.Contains(LedgerRoles.GrantsSql("zone_b", "zone_b_app"), output);
        Assert.Contains("ConnectionStrings__LedgerOwner", output);
        Assert.DoesNotContain("ledger_app", output);
    }

    [Theory]
    [InlineData("roles", "sql", "--app-role", "Ledger-App")]
    [InlineData("roles", "sql", "--schema", "ledger; drop table x")]
    [InlineData("roles", "sql", "--app-role", "one_role", "--owner-role", "one_role")]
    [InlineData("roles", "sql", "--password", "x")]
    [InlineData("roles")]
    public async Task A_bad_option_is_one_line_and_exit_2(params string[] args)
    {
        var (exit, output, error) = await LedgerTool.RunAsync(null, args);

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.StartsWith("ledger: ", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task A_verb_on_the_application_role_before_setup_says_in_one_line_that_the_owner_applies_the_schema()
    {
        Environment.SetEnvironmentVariable("ConnectionStrings__Ledger", AppRoleLedger.As(AppRoleLedger.AppRole));
        Environment.SetEnvironmentVariable("ConnectionStrings__LedgerOwner", AppRoleLedger.As(AppRoleLedger.OwnerRole));
        await TestDatabase.ExecuteAsync(LedgerRoles.RolesSql(_schema, AppRoleLedger.AppRole, AppRoleLedger.OwnerRole));

        var (exit, output, error) = await LedgerTool.RunAsync(_schema, "user", "list");

        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.StartsWith("ledger: PostgreSQL refused (permission denied", error, StringComparison.Ordinal);
        Assert.Contains("./ops/ledger setup", error);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.Equal(0L, await TestDatabase.ScalarAsync<long>($"select count(*) from pg_class where relnamespace = to_regnamespace('{_schema}')"));
    }

    [Fact]
    public async Task Setup_with_an_owners_connection_applies_the_schema_as_the_owner_and_grants_the_application_role()
    {
        await TestDatabase.ExecuteAsync(LedgerRoles.RolesSql(_schema, AppRoleLedger.AppRole, AppRoleLedger.OwnerRole));
        Environment.SetEnvironmentVariable("ConnectionStrings__Ledger", AppRoleLedger.As(AppRoleLedger.AppRole));
        Environment.SetEnvironmentVariable("ConnectionStrings__LedgerOwner", AppRoleLedger.As(AppRoleLedger.OwnerRole));

        var (exit, output, error) = await LedgerTool.RunAsync(_schema, "setup");

        Assert.True(exit == 0, error);
        Assert.Contains($"schema '{_schema}' applied as '{AppRoleLedger.OwnerRole}'; the application's role '{AppRoleLedger.AppRole}' may read and append", output);
        Assert.Equal("ledger_test_owner,true,true,false,false", await TestDatabase.ScalarAsync<string>($"""
            select c.relowner::regrole || ',' || has_table_privilege('{AppRoleLedger.AppRole}', c.oid, 'SELECT') || ',' || has_table_privilege('{AppRoleLedger.AppRole}', c.oid, 'INSERT')
                   || ',' || has_table_privilege('{AppRoleLedger.AppRole}', c.oid, 'UPDATE') || ',' || has_table_privilege('{AppRoleLedger.AppRole}', c.oid, 'TRUNCATE')
              from pg_class c where c.oid = '"{_schema}".mt_events'::regclass
            """));
        // Every verb but setup, import, rebuild and reset runs as the application's role: the accounts' tool opens one.
        var user = await LedgerTool.RunAsync(_schema, "user", "add", "roles-verb-auditor", "--role", "auditor");
        Assert.True(user.Exit == 0, user.Error);

        // reset drops the schema as its owner (the application's role owns nothing it could drop).
        var reset = await LedgerTool.RunAsync(_schema, "reset", "--yes", "--configured-database");
        Assert.True(reset.Exit == 0, reset.Error);
        Assert.Equal(0L, await TestDatabase.ScalarAsync<long>($"select count(*) from pg_namespace where nspname = '{_schema}'"));
    }
}
