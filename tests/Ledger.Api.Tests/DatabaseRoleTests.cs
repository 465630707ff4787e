using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Ledger.Api.Tests.Support;
using Ledger.Contracts;
using Ledger.Domain;
using Ledger.Infrastructure.Accounts;
using Ledger.Infrastructure.Evidence;
using Ledger.Infrastructure.Integrity;
using Ledger.Infrastructure.Store;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Ledger.Api.Tests;

/// <summary>
/// The ledger as it runs in earnest: the schema applied by its owner (the owner's half of setup, with
/// the roles made by the SQL that <c>ledger roles sql</c> prints), and the API on the application's
/// role, logging in as that role (the test cluster trusts loopback; what is tested is what the role
/// may do). Roles of the tests' own, so the private cluster's are never touched.
/// </summary>
public sealed class AppRoleLedger : LedgerHost, IAsyncLifetime
{
    public const string AppRole = "ledger_test_app";
    public const string OwnerRole = "ledger_test_owner";

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("ledger-roles-").FullName;

    public static string As(string role) => new NpgsqlConnectionStringBuilder(TestDatabase.ConnectionString) { Username = role }.ConnectionString;

    public LedgerSettings Settings => new(As(AppRole), Schema, _dataDirectory) { OwnerConnectionString = As(OwnerRole) };

    /// <summary>Each guard trigger and guard function, by name, with its oid as the owner's setup left it (before the API started).</summary>
    public IReadOnlyDictionary<string, uint> GuardsAfterSetup { get; private set; } = new Dictionary<string, uint>();

    protected override void Customize(IWebHostBuilder builder) => builder.UseSetting("ConnectionStrings:Ledger", As(AppRole));

    async Task IAsyncLifetime.InitializeAsync()
    {
        await TestDatabase.ExecuteAsync(LedgerRoles.RolesSql(Schema, AppRole, OwnerRole));
        Assert.Equal(AppRole, await LedgerSchema.ApplyAsync(Settings, CancellationToken.None));
        GuardsAfterSetup = await GuardsAsync(Schema);
        await InitializeAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    public static async Task<Dictionary<string, uint>> GuardsAsync(string schema)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            select c.relname || '.' || t.tgname, t.oid from pg_trigger t join pg_class c on c.oid = t.tgrelid
             where c.relnamespace = to_regnamespace(@schema) and not t.tgisinternal
            union all
            select p.proname || '()', p.oid from pg_proc p where p.pronamespace = to_regnamespace(@schema) and p.prorettype = 'trigger'::regtype
            """, connection);
        command.Parameters.AddWithValue("schema", '"' + schema + '"');
        var guards = new Dictionary<string, uint>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) guards[reader.GetString(0)] = reader.GetFieldValue<uint>(1);
        return guards;
    }
}

/// <summary>
/// Issue 13, item 6: the application's role can read and append history but cannot change it, erase
/// it, or switch its guards off; it holds exactly the privileges the API needs (with one missing the
/// API test fails, with one too many the privilege test does); and no start or setup replaces a guard.
/// </summary>
public sealed class DatabaseRoleTests(AppRoleLedger host) : IClassFixture<AppRoleLedger>
{
    private const string Water = "roles-water";

    // Every table of the schema and what the application's role may do to it (column lists for UPDATE
    // granted on some columns only). Written out here, apart from LedgerRoles, so that a grant widened
    // or added there fails this test until it is argued for here too. Marten's documents are below.
    private static readonly Dictionary<string, string> Expected = new(StringComparer.Ordinal)
    {
        ["mt_events"] = "INSERT, SELECT",
        ["mt_streams"] = "INSERT, SELECT, UPDATE(timestamp, version)",
        ["ledger_merkle_leaves"] = "INSERT, SELECT",
        ["ledger_merkle_nodes"] = "INSERT, SELECT",
        ["ledger_merkle_gaps"] = "INSERT, SELECT",
        ["ledger_checkpoints"] = "INSERT, SELECT",
        ["ledger_cosignatures"] = "INSERT, SELECT",
        ["ledger_merkle_state"] = "INSERT, SELECT, UPDATE(last_seq, root, tree_size, updated_at)",
        ["ledger_access_log"] = "INSERT, SELECT",
        ["ledger_view_snapshots"] = "INSERT, SELECT",
        ["ledger_evidence_files"] = "INSERT, SELECT",
        ["ledger_accounts"] = "INSERT, SELECT, UPDATE(failed_attempts, last_sign_in, locked_until, must_change, password_hash, password_set_at, session_stamp)",
        ["mt_event_progression"] = "DELETE, INSERT, SELECT, UPDATE",
        ["mt_high_water_skips"] = "DELETE, INSERT, SELECT, UPDATE",
        ["mt_event_projection_floors"] = "DELETE, INSERT, SELECT, UPDATE",
        ["mt_doc_deadletterevent"] = "INSERT, SELECT",
        // The zone setup recorded: read at every start, never written by the application.
        ["ledger_zone"] = "SELECT",
    };

    private const string Documents = "DELETE, INSERT, SELECT, UPDATE";

    // The guarded tables, each with a guard trigger on it and a column to try to change.
    private static readonly (string Table, string Trigger, string Column)[] Guarded =
    [
        ("mt_events", "ledger_events_no_update_delete", "data"),
        ("mt_streams", "ledger_streams_no_delete", "type"),
        ("ledger_merkle_leaves", "ledger_merkle_leaves_no_update_delete", "leaf_hash"),
        ("ledger_merkle_nodes", "ledger_merkle_nodes_no_update_delete", "hash"),
        ("ledger_merkle_gaps", "ledger_merkle_gaps_no_update_delete", "resolved_at"),
        ("ledger_checkpoints", "ledger_checkpoints_no_update_delete", "signed_note"),
        ("ledger_cosignatures", "ledger_cosignatures_no_update_delete", "line"),
        ("ledger_access_log", "ledger_access_log_no_update_delete", "action"),
        ("ledger_evidence_files", "ledger_evidence_files_no_update_delete", "content"),
    ];

    [Fact]
    public async Task The_api_on_the_application_role_appends_integrates_checkpoints_and_serves_its_views()
    {
        await using (var app = host.Services.GetRequiredKeyedService<NpgsqlDataSource>("ledger-integrity").CreateCommand("select current_user"))
            Assert.Equal(AppRoleLedger.AppRole, await app.ExecuteScalarAsync());

        await PilotZone.RegisterGovernmentsAsync(host);
        await PilotZone.ActivateAgreementAsync(host);
        await PilotZone.ActiveCommitmentAsync(host, Water);
        // An idempotent report, sent twice: the record is written, then read back for the retry.
        var before = await PilotZone.StreamLengthAsync(host, $"commitment/{Water}");
        for (var i = 0; i < 2; i++)
        {
            using var report = PilotZone.WaterReport(Water, "roles-2024");
            report.Headers.Add("Idempotency-Key", "roles-report");
            using var answer = await host.Client("government", PilotZone.Liuyang).SendAsync(report);
            Assert.Equal(HttpStatusCode.Created, answer.StatusCode);
        }
        Assert.Equal(before + 1, await PilotZone.StreamLengthAsync(host, $"commitment/{Water}"));
        Assert.Equal(1L, await CountAsync("mt_doc_idempotencyrecord"));
        var events = await CountAsync("mt_events");

        // The Merkle worker integrates as this role, and a checkpoint is signed and stored.
        await WaitForAsync(async () => await CountAsync("ledger_merkle_leaves") == events);
        using (var signed = await host.Client("auditor").PostAsync("/api/integrity/checkpoints", null))
            Assert.Equal(HttpStatusCode.Created, signed.StatusCode);
        Assert.True(await CountAsync("ledger_checkpoints") >= 1);
        var verified = await new LedgerVerifier(host.Services.GetRequiredKeyedService<NpgsqlDataSource>("ledger-integrity"), host.Schema)
            .VerifyAsync(host.Services.GetRequiredService<LedgerIntegrity>().VerifierKey, null, null, CancellationToken.None);
        Assert.True(verified.Valid, verified.Message);

        // The daemon keeps the supervisors' views current; the inline record is there at once.
        var governments = "/api/supervision/governments?limit=200";
        await WaitForAsync(async () => (long?)JsonNode.Parse(await host.Client("supervisor").GetStringAsync(governments))!["freshness"]!["eventsBehind"] == 0);
        Assert.NotEmpty((await host.GetJsonAsync(governments, "supervisor"))["items"]!.AsArray());
        Assert.Equal(Water, (string?)(await host.GetJsonAsync($"/api/commitments/{Water}", "supervisor"))["commitmentId"]);

        // A replay is recorded in the access log.
        using (var replay = await host.Client("auditor").GetAsync($"/api/audit/commitments/{Water}/events"))
            Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.True(await CountAsync("ledger_access_log") >= 1);

        // Accounts: opened (an event and a password row), a failed sign-in counted, a good one recorded.
        var accounts = host.Services.GetRequiredService<AccountBook>();
        var context = AccountBook.Context(new Actor("admin-roles", ActorRole.Admin));
        await accounts.CreateAsync("roles-auditor", AccountRole.Auditor, null, "a-long-test-password-1", context, CancellationToken.None);
        await accounts.SignInAsync("roles-auditor", "wrong-password-here", CancellationToken.None);
        Assert.Equal(1, await TestDatabase.ScalarAsync<int>($"select failed_attempts from \"{host.Schema}\".ledger_accounts where account_id = 'roles-auditor'"));
        await accounts.SignInAsync("roles-auditor", "a-long-test-password-1", CancellationToken.None);
        Assert.Equal(0, await TestDatabase.ScalarAsync<int>($"select failed_attempts from \"{host.Schema}\".ledger_accounts where account_id = 'roles-auditor'"));

        // Evidence files: stored and read back.
        var evidence = host.Services.GetRequiredService<EvidenceFiles>();
        var stored = await evidence.StoreAsync(new MemoryStream(Encoding.UTF8.GetBytes("monitoring report, roles test")), "text/plain", CancellationToken.None);
        Assert.NotNull(await evidence.ReadAsync(stored.Sha256, CancellationToken.None));
    }

    [Fact]
    public async Task The_application_role_can_neither_change_nor_erase_history_nor_switch_a_guard_off()
    {
        var schema = $"\"{host.Schema}\"";
        var attempts = new List<string>();
        foreach (var (table, trigger, column) in Guarded)
        {
            attempts.Add($"update {schema}.{table} set {column} = {column}");
            attempts.Add($"delete from {schema}.{table}");
            attempts.Add($"truncate {schema}.{table}");
            attempts.Add($"truncate {schema}.{table} cascade");
            attempts.Add($"alter table {schema}.{table} disable trigger {trigger}");
            attempts.Add($"alter table {schema}.{table} disable trigger user");
            attempts.Add($"drop trigger {trigger} on {schema}.{table}");
            attempts.Add($"alter table {schema}.{table} owner to {AppRoleLedger.AppRole}");
        }
        // The frontier's row may move, never go.
        attempts.Add($"delete from {schema}.ledger_merkle_state");
        attempts.Add($"truncate {schema}.ledger_merkle_state");
        // Other ways round a guard: replace its function, make triggers not fire, add a table to hide behind.
        attempts.Add($"create or replace function {schema}.ledger_events_append_only() returns trigger language plpgsql as $$ begin return new; end $$");
        attempts.Add($"alter function {schema}.ledger_append_only() rename to was_a_guard");
        attempts.Add($"drop function {schema}.ledger_append_only() cascade");
        attempts.Add("set session_replication_role = replica");
        attempts.Add($"create table {schema}.shadow (i int)");
        attempts.Add($"create schema {AppRoleLedger.AppRole}_own");

        var eventsBefore = await CountAsync("mt_events");
        await using var connection = new NpgsqlConnection(AppRoleLedger.As(AppRoleLedger.AppRole));
        await connection.OpenAsync();
        var allowed = new List<string>();
        foreach (var sql in attempts)
        {
            // Each in a transaction that is rolled back, so one wrongly allowed cannot hide the next.
            await using var tx = await connection.BeginTransactionAsync();
            try
            {
                await using var command = new NpgsqlCommand(sql, connection, tx);
                await command.ExecuteNonQueryAsync();
                allowed.Add(sql);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                // refused for want of a privilege, before any row or guard was reached
            }
            catch (PostgresException ex)
            {
                allowed.Add($"{sql} (refused only by {ex.SqlState}: {ex.MessageText})");
            }
            await tx.RollbackAsync();
        }
        Assert.True(allowed.Count == 0, "the application's role was allowed:\n" + string.Join('\n', allowed));
        Assert.Equal(eventsBefore, await CountAsync("mt_events"));
    }

    [Fact]
    public async Task The_application_role_holds_exactly_the_privileges_the_design_needs_and_owns_nothing()
    {
        var actual = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var connection = new NpgsqlConnection(TestDatabase.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("""
                select c.relname,
                       coalesce((select string_agg(p, ', ' order by p) from unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) p
                                  where has_table_privilege(@role, c.oid, p)), ''),
                       coalesce((select string_agg(a.attname, ', ' order by a.attname) from pg_attribute a
                                  where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
                                    and not has_table_privilege(@role, c.oid, 'UPDATE') and has_column_privilege(@role, c.oid, a.attnum, 'UPDATE')), '')
                  from pg_class c where c.relnamespace = to_regnamespace(@schema) and c.relkind in ('r', 'p')
                """, connection);
            command.Parameters.AddWithValue("role", AppRoleLedger.AppRole);
            command.Parameters.AddWithValue("schema", $"\"{host.Schema}\"");
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var privileges = reader.GetString(1).Split(", ", StringSplitOptions.RemoveEmptyEntries).ToList();
                if (reader.GetString(2).Length > 0) privileges.Add($"UPDATE({reader.GetString(2)})");
                actual[reader.GetString(0)] = string.Join(", ", privileges.Order(StringComparer.Ordinal));
            }
        }

        var documents = actual.Keys.Where(t => t.StartsWith("mt_doc_", StringComparison.Ordinal) && !Expected.ContainsKey(t)).ToList();
        Assert.Contains("mt_doc_idempotencyrecord", documents);
        Assert.Contains("mt_doc_commitmentrecord", documents);
        var expected = new Dictionary<string, string>(Expected, StringComparer.Ordinal);
        foreach (var document in documents) expected[document] = Documents;
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), actual.OrderBy(p => p.Key, StringComparer.Ordinal));

        // The event sequence is drawn from and read; nothing may set it back. The access log's identity needs nothing.
        Assert.Equal("true,true,false", await ScalarTextAsync($"""
            select has_sequence_privilege('{AppRoleLedger.AppRole}', '"{host.Schema}".mt_events_sequence', 'USAGE') || ',' ||
                   has_sequence_privilege('{AppRoleLedger.AppRole}', '"{host.Schema}".mt_events_sequence', 'SELECT') || ',' ||
                   has_sequence_privilege('{AppRoleLedger.AppRole}', '"{host.Schema}".mt_events_sequence', 'UPDATE')
            """));
        // It owns nothing (an owner may disable triggers), creates nothing, and is nobody else.
        Assert.Equal(0L, await TestDatabase.ScalarAsync<long>($"""
            select (select count(*) from pg_class where relowner = '{AppRoleLedger.AppRole}'::regrole)
                 + (select count(*) from pg_proc where proowner = '{AppRoleLedger.AppRole}'::regrole)
                 + (select count(*) from pg_namespace where nspowner = '{AppRoleLedger.AppRole}'::regrole)
                 + (select count(*) from pg_auth_members where member = '{AppRoleLedger.AppRole}'::regrole)
            """));
        Assert.Equal("false,false,false,false,false,false,false", await ScalarTextAsync($"""
            select has_schema_privilege(r.oid, '{host.Schema}', 'CREATE') || ',' || has_database_privilege(r.oid, current_database(), 'CREATE') || ',' ||
                   r.rolsuper || ',' || r.rolcreaterole || ',' || r.rolcreatedb || ',' || r.rolreplication || ',' || r.rolbypassrls
              from pg_roles r where r.rolname = '{AppRoleLedger.AppRole}'
            """));
        // The owner owns every table of the schema.
        Assert.Equal(0L, await TestDatabase.ScalarAsync<long>(
            $"select count(*) from pg_class where relnamespace = to_regnamespace('\"{host.Schema}\"') and relkind in ('r', 'p') and relowner <> '{AppRoleLedger.OwnerRole}'::regrole"));
    }

    [Fact]
    public async Task Starting_and_setting_up_again_leave_every_guard_as_it_stood()
    {
        var expected = IntegritySchema.Triggers
            .Concat(["ledger_access_log_no_update_delete", "ledger_access_log_no_truncate", "ledger_evidence_files_no_update_delete", "ledger_evidence_files_no_truncate"])
            .Order(StringComparer.Ordinal);
        Assert.Equal(expected, host.GuardsAfterSetup.Keys.Where(k => !k.EndsWith("()", StringComparison.Ordinal)).Select(k => k.Split('.')[1]).Order(StringComparer.Ordinal));

        // The API has started as the application's role (this fixture); setup runs again as the owner;
        // a node on a role that could replace them (the tests' superuser) starts its integrity schema.
        await LedgerSchema.ApplyAsync(host.Settings, CancellationToken.None);
        await using (var superuser = NpgsqlDataSource.Create(TestDatabase.ConnectionString))
            await IntegritySchema.EnsureAsync(superuser, host.Schema, CancellationToken.None);

        Assert.Equal(host.GuardsAfterSetup.OrderBy(p => p.Key, StringComparer.Ordinal), (await AppRoleLedger.GuardsAsync(host.Schema)).OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    private Task<long> CountAsync(string table) => TestDatabase.ScalarAsync<long>($"select count(*) from \"{host.Schema}\".{table}");

    private static Task<string> ScalarTextAsync(string sql) => TestDatabase.ScalarAsync<string>(sql);

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the condition did not hold within 30 s");
            await Task.Delay(100);
        }
    }
}
