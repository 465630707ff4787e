using System.Text.RegularExpressions;
using Ledger.Api.Tests.Support;
using Microsoft.AspNetCore.Identity;

namespace Ledger.Api.Tests;

/// <summary>
/// <c>ledger user …</c> keeps the console's accounts: each change an event on the account's stream
/// (never holding a password or its hash), the hashed password in the accounts' table, both written
/// in one transaction; bad usage or an unknown name is one line on stderr, a non-zero exit and nothing
/// written. Each test points the tool at a schema of its own, as a configured connection string.
/// </summary>
[Collection(AuditCliCollection.Name)]
public sealed partial class UserVerbTests : IAsyncLifetime
{
    private static readonly string[] Variables = ["ConnectionStrings__Ledger", "LEDGER_DATA_DIR"];
    private SavedEnvironment _saved = null!;
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("ledger-users-").FullName;
    private readonly string _schema = TestDatabase.NewSchemaName("users");

    public async Task InitializeAsync()
    {
        _saved = new SavedEnvironment(Variables);
        Environment.SetEnvironmentVariable("ConnectionStrings__Ledger", TestDatabase.ConnectionString);
        Environment.SetEnvironmentVariable("LEDGER_DATA_DIR", _dataDirectory);
        // Liuyang registered, so that a government account has a government to be bound to.
        var file = Path.Combine(_dataDirectory, "liuyang.json");
        await File.WriteAllTextAsync(file, """
            {"name": "liuyang-only", "loadYearFrom": "2026-02-01", "steps": [
              {"at": "2021-03-01T01:00:00Z", "actor": "admin", "post": "/api/governments",
               "body": {"governmentId": "430181", "nameZh": "浏阳市", "nameEn": "Liuyang", "province": "Hunan",
                        "prefecture": "Changsha", "level": "CountyLevelCity"}}]}
            """);
        var seeded = await LedgerTool.RunAsync(_schema, "seed", "--demo", "--file", file);
        Assert.True(seeded.Exit == 0, seeded.Error);
        // The first user verb makes the accounts' table; the tests count its rows from the start.
        Assert.Equal(0, (await LedgerTool.RunAsync(_schema, "user", "list")).Exit);
    }

    public async Task DisposeAsync()
    {
        _saved.Restore();
        await TestDatabase.DropSchemaAsync(_schema);
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task User_add_opens_an_account_with_a_one_time_password_kept_hashed_beside_an_event_that_holds_none()
    {
        var (exit, output, error) = await LedgerTool.RunAsync(_schema, "user", "add", "wang.fang", "--role", "government", "--government", "430181");

        Assert.True(exit == 0, error);
        Assert.Contains("opened account wang.fang (government of 430181)", output);
        var oneTime = OneTimePassword(output);
        var hash = await ScalarAsync<string>("select password_hash from {accounts} where account_id = 'wang.fang'");
        Assert.Equal(PasswordVerificationResult.Success, new PasswordHasher<string>().VerifyHashedPassword("wang.fang", hash, oneTime));
        Assert.True(await ScalarAsync<bool>("select must_change from {accounts} where account_id = 'wang.fang'"));

        var stored = await ScalarAsync<string>("select type || ' ' || data::text || ' ' || headers::text from {events} where stream_id = 'account/wang.fang'");
        Assert.StartsWith("account_created.v1 ", stored, StringComparison.Ordinal);
        Assert.Contains("\"role\": \"Government\"", stored);
        Assert.Contains("\"governmentId\": \"430181\"", stored);
        Assert.Contains("\"createdBy\": \"os:", stored);
        Assert.DoesNotContain(oneTime, stored);
        Assert.DoesNotContain(hash, stored);

        var list = await LedgerTool.RunAsync(_schema, "user", "list");
        Assert.True(list.Exit == 0, list.Error);
        var lines = list.Output.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        Assert.Matches(@"^name\s+role\s+government\s+state\s+last sign-in$", lines[0]);
        Assert.Matches(@"^wang\.fang\s+government\s+430181\s+active \(one-time password\)\s+never$", lines[1]);
    }

    [Fact]
    public async Task Disabling_writes_one_event_and_a_new_session_stamp_and_a_second_disable_changes_nothing()
    {
        await AddAsync("li.ming", "auditor");
        var stamp = await ScalarAsync<string>("select session_stamp from {accounts} where account_id = 'li.ming'");

        var (exit, output, error) = await LedgerTool.RunAsync(_schema, "user", "disable", "li.ming");
        Assert.True(exit == 0, error);
        Assert.Contains("disabled account li.ming; its open sessions end at their next request", output);
        Assert.NotEqual(stamp, await ScalarAsync<string>("select session_stamp from {accounts} where account_id = 'li.ming'"));

        var again = await LedgerTool.RunAsync(_schema, "user", "disable", "li.ming");
        Assert.True(again.Exit == 0, again.Error);
        Assert.Contains("was disabled already; nothing changed", again.Output);
        Assert.Equal(["account_created.v1", "account_disabled.v1"], await TypesAsync("li.ming"));
        Assert.Matches(@"\nli\.ming\s+auditor\s+-\s+disabled\s+never", (await LedgerTool.RunAsync(_schema, "user", "list")).Output.ReplaceLineEndings("\n"));

        var reset = await LedgerTool.RunAsync(_schema, "user", "reset-password", "li.ming");
        Assert.Equal(1, reset.Exit);
        Assert.Equal("ledger: Account li.ming is disabled\n", reset.Error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Reset_password_prints_a_new_one_time_password_and_the_old_one_no_longer_holds()
    {
        var first = await AddAsync("zhao.lei", "supervisor");
        var stamp = await ScalarAsync<string>("select session_stamp from {accounts} where account_id = 'zhao.lei'");

        var (exit, output, error) = await LedgerTool.RunAsync(_schema, "user", "reset-password", "zhao.lei");

        Assert.True(exit == 0, error);
        var second = OneTimePassword(output);
        Assert.NotEqual(first, second);
        var hash = await ScalarAsync<string>("select password_hash from {accounts} where account_id = 'zhao.lei'");
        var hasher = new PasswordHasher<string>();
        Assert.Equal(PasswordVerificationResult.Success, hasher.VerifyHashedPassword("zhao.lei", hash, second));
        Assert.Equal(PasswordVerificationResult.Failed, hasher.VerifyHashedPassword("zhao.lei", hash, first));
        Assert.NotEqual(stamp, await ScalarAsync<string>("select session_stamp from {accounts} where account_id = 'zhao.lei'"));
        Assert.Equal(["account_created.v1", "account_password_reset.v1"], await TypesAsync("zhao.lei"));
    }

    [Fact]
    public async Task Grant_gives_another_role_and_ends_the_sessions_of_the_one_before()
    {
        await AddAsync("chen.jing", "auditor");
        var stamp = await ScalarAsync<string>("select session_stamp from {accounts} where account_id = 'chen.jing'");

        var (exit, output, error) = await LedgerTool.RunAsync(_schema, "user", "grant", "chen.jing", "--role", "supervisor");

        Assert.True(exit == 0, error);
        Assert.Contains("account chen.jing is now supervisor", output);
        Assert.NotEqual(stamp, await ScalarAsync<string>("select session_stamp from {accounts} where account_id = 'chen.jing'"));
        Assert.Equal(["account_created.v1", "account_role_granted.v1"], await TypesAsync("chen.jing"));
    }

    [Theory]
    [InlineData(2, "ledger: unknown role 'mayor' (one of: government, supervisor, decision, auditor)", "user", "add", "zhou.xin", "--role", "mayor")]
    [InlineData(2, "ledger: admin is no role for an account", "user", "add", "zhou.xin", "--role", "admin")]
    [InlineData(2, "ledger: A government account needs a six-digit administrative division code", "user", "add", "zhou.xin", "--role", "government")]
    [InlineData(2, "ledger: Only a government account is bound to a government", "user", "add", "zhou.xin", "--role", "auditor", "--government", "430181")]
    [InlineData(2, "ledger: 'name' must be 3-64 lower-case letters", "user", "add", "Zhou Xin", "--role", "auditor")]
    [InlineData(1, "ledger: No government 430999 is registered", "user", "add", "zhou.xin", "--role", "government", "--government", "430999")]
    [InlineData(1, "ledger: There is no account nobody", "user", "disable", "nobody")]
    [InlineData(1, "ledger: There is no account nobody", "user", "reset-password", "nobody")]
    [InlineData(1, "ledger: There is no account nobody", "user", "grant", "nobody", "--role", "auditor")]
    [InlineData(2, "ledger: Option '--role' is required", "user", "add", "zhou.xin")]
    [InlineData(2, "ledger: ", "user", "remove", "zhou.xin")]
    public async Task Bad_usage_or_an_unknown_name_is_one_line_a_non_zero_exit_and_nothing_written(int code, string line, params string[] args)
    {
        var events = await ScalarAsync<long>("select count(*) from {events}");

        var (exit, output, error) = await LedgerTool.RunAsync(_schema, args);

        Assert.Equal(code, exit);
        Assert.Equal("", output);
        Assert.StartsWith(line, error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.Equal(events, await ScalarAsync<long>("select count(*) from {events}"));
        Assert.Equal(0L, await ScalarAsync<long>("select count(*) from {accounts}"));
    }

    [Fact]
    public async Task An_account_is_never_half_made_the_events_and_the_password_land_together_or_not_at_all()
    {
        // PostgreSQL refuses the account's event: no password is kept for it either.
        await TestDatabase.RefuseAppendsAsync(_schema, "account/sun.yue", "refused by the test", "account_created.v1");
        var refused = await LedgerTool.RunAsync(_schema, "user", "add", "sun.yue", "--role", "auditor");
        Assert.Equal(1, refused.Exit);
        Assert.Equal("ledger: PostgreSQL refused the change (P0001: refused by the test); nothing was written\n", refused.Error.ReplaceLineEndings("\n"));
        Assert.Equal(0L, await ScalarAsync<long>("select count(*) from {accounts} where account_id = 'sun.yue'"));

        // The table refuses the password (a row already there, as no account of the ledger's could leave one): no event either.
        await TestDatabase.ExecuteAsync($"insert into \"{_schema}\".ledger_accounts (account_id, password_hash, must_change, session_stamp, password_set_at) values ('he.ping', 'x', true, 's', now())");
        var clash = await LedgerTool.RunAsync(_schema, "user", "add", "he.ping", "--role", "auditor");
        Assert.Equal(1, clash.Exit);
        Assert.StartsWith("ledger: PostgreSQL refused the change (23505: duplicate key value", clash.Error, StringComparison.Ordinal);
        Assert.Equal(0L, await ScalarAsync<long>("select count(*) from {events} where stream_id = 'account/he.ping'"));
    }

    [Fact]
    public async Task Setup_on_a_configured_database_opens_no_demo_account()
    {
        var setup = await LedgerTool.RunAsync(_schema, "setup");
        Assert.True(setup.Exit == 0, setup.Error);

        var (exit, output, _) = await LedgerTool.RunAsync(_schema, "user", "list");
        Assert.Equal(0, exit);
        Assert.Equal("no accounts yet; ./ops/ledger user add NAME --role ROLE opens one\n", output.ReplaceLineEndings("\n"));
    }

    private async Task<string> AddAsync(string name, string role)
    {
        var (exit, output, error) = await LedgerTool.RunAsync(_schema, "user", "add", name, "--role", role);
        Assert.True(exit == 0, error);
        return OneTimePassword(output);
    }

    private static string OneTimePassword(string output) => OneTimeLine().Match(output) is { Success: true } m ? m.Groups[1].Value : throw new Xunit.Sdk.XunitException($"no one-time password in: {output}");

    private async Task<string[]> TypesAsync(string account) =>
        (await ScalarAsync<string>($"select string_agg(type, ' ' order by version) from {{events}} where stream_id = 'account/{account}'")).Split(' ');

    private Task<T> ScalarAsync<T>(string sql) =>
        TestDatabase.ScalarAsync<T>(sql.Replace("{accounts}", $"\"{_schema}\".ledger_accounts", StringComparison.Ordinal)
            .Replace("{events}", $"\"{_schema}\".mt_events", StringComparison.Ordinal));

    [GeneratedRegex(@"one-time password(?: for [a-z0-9._-]+)?: ([a-z0-9]+)")]
    private static partial Regex OneTimeLine();
}
