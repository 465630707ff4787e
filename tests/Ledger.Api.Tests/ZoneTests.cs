using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Ledger.Api.Tests.Support;
using Ledger.Infrastructure.Identity;
using Ledger.Integrity.Checkpoints;
using Microsoft.AspNetCore.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace Ledger.Api.Tests;

/// <summary>
/// The command-line tool reads the master table's and the node's databases from the environment, which is
/// process-wide: these tests run alone, never beside other test classes.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ZoneCollection
{
    public const string Name = "zones";
}

/// <summary>
/// A node of one zone: its own database (<paramref name="connection"/>; the pilot zone's is the tests' database), the
/// schema every zone's ledger uses, the master table of zones, and a token key the pair shares, so that a token of one
/// zone fails on the other's node for its zone alone.
/// </summary>
public sealed class ZoneNode(string zone, string? connection, string? schema, string registry, string tokenKey) : LedgerHost
{
    public string Zone => zone;

    public string LedgerSchema => schema ?? Schema;

    public string CheckpointSeed { get; } = CheckpointKeys.NewSeed();

    protected override void Customize(IWebHostBuilder builder)
    {
        builder.UseSetting("Ledger:Zone", zone);
        if (connection is not null) builder.UseSetting("ConnectionStrings:Ledger", connection);
        builder.UseSetting("Ledger:Schema", LedgerSchema);
        builder.UseSetting("ConnectionStrings:Zones", registry);
        builder.UseSetting("Auth:SigningKey", tokenKey);
        builder.UseSetting("Integrity:SigningKey", CheckpointSeed);
        builder.UseSetting("Integrity:PollInterval", "00:00:00.050");
    }
}

/// <summary>
/// Two zones side by side, each its own database served by its own node: the pilot zone (the tests' database) and
/// zone-b (a database <c>zone add</c> creates), tied together by a master table in a database of its own.
/// </summary>
public sealed class TwoZones : IAsyncLifetime
{
    private readonly string _tokenKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..10];

    public TwoZones()
    {
        Registry = Database($"zreg_{_suffix}");
        ZoneB = Database($"zb_{_suffix}");
        ZoneC = Database($"zc_{_suffix}");
        A = new ZoneNode("pilot-zone", null, null, Registry, _tokenKey);
        B = new ZoneNode("zone-b", ZoneB, A.Schema, Registry, _tokenKey);
    }

    public string Registry { get; }
    public string ZoneB { get; }
    /// <summary>A third zone's database, which one test adds while the nodes run.</summary>
    public string ZoneC { get; }
    public ZoneNode A { get; }
    public ZoneNode B { get; }

    public string TokenKey => _tokenKey;

    public static string Database(string name) => new NpgsqlConnectionStringBuilder(TestDatabase.ConnectionString) { Database = name }.ConnectionString;

    public async Task InitializeAsync()
    {
        // zone-b as an operator adds it: its database created, the ledger's schema applied with its zone, registered.
        var added = await ToolAsync("zone", "add", "zone-b", "--connection", ZoneB, "--name", "第二测试区");
        Assert.True(added.Exit == 0, added.Error);
        await A.InitializeAsync();
        await B.InitializeAsync();
        foreach (var node in new[] { A, B }) await PilotZone.RegisterGovernmentsAsync(node);
        await PilotZone.ActivateAgreementAsync(A);
    }

    /// <summary>The command-line tool in-process, as an operator on the pilot zone's machine runs it (its environment for this call only).</summary>
    public Task<(int Exit, string Output, string Error)> ToolAsync(params string[] args) => ZoneTool.RunAsync(A.Schema, Registry, args);

    public async Task DisposeAsync()
    {
        await Teardown.DisposeAsync(B, "zone-b node");
        await A.StopAsync();
        NpgsqlConnection.ClearAllPools();
        foreach (var database in new[] { ZoneB, ZoneC, Registry })
            await TestDatabase.ExecuteAsync($"drop database if exists \"{new NpgsqlConnectionStringBuilder(database).Database}\" with (force)");
    }
}

/// <summary>The tool run with the settings an operator of the pilot zone's node has: its database and schema, and the master table's.</summary>
public static class ZoneTool
{
    private static readonly string[] Variables = ["ConnectionStrings__Ledger", "ConnectionStrings__Zones"];

    public static async Task<(int Exit, string Output, string Error)> RunAsync(string schema, string registry, params string[] args)
    {
        var saved = new SavedEnvironment(Variables);
        Environment.SetEnvironmentVariable("ConnectionStrings__Ledger", TestDatabase.ConnectionString);
        Environment.SetEnvironmentVariable("ConnectionStrings__Zones", registry);
        try
        {
            return await LedgerTool.RunAsync(schema, args);
        }
        finally
        {
            saved.Restore();
        }
    }
}

/// <summary>
/// A ledger per cooperation zone: each zone's events, origin, Merkle log and tokens are its own; <c>zone add</c> registers a
/// zone while the nodes run and refuses bad input without a trace; the national overview shows every zone of the master
/// table side by side, to the national role only.
/// </summary>
[Collection(ZoneCollection.Name)]
public sealed class ZoneTests(TwoZones zones) : IClassFixture<TwoZones>
{
    private ZoneNode A => zones.A;
    private ZoneNode B => zones.B;

    [Fact]
    public async Task Appends_in_one_zone_never_appear_in_the_other()
    {
        await PilotZone.ActiveCommitmentAsync(A, "zone-a-water");
        await B.Client("admin").PostJsonAsync("/api/governments", new
        {
            governmentId = "360981", nameZh = "丰城市", nameEn = "Fengcheng", province = "Jiangxi", prefecture = "Yichun", level = "CountyLevelCity",
        }).Ok();

        Assert.Equal(HttpStatusCode.OK, (await A.Client("auditor").GetAsync("/api/commitments/zone-a-water")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await B.Client("auditor").GetAsync("/api/commitments/zone-a-water")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await B.Client("auditor").GetAsync($"/api/agreements/{PilotZone.Agreement}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await B.Client("auditor").GetAsync("/api/governments/360981")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await A.Client("auditor").GetAsync("/api/governments/360981")).StatusCode);
        // The rows themselves: zone-b's database holds none of the pilot zone's streams, and the reverse.
        Assert.Equal(0L, await CountAsync(zones.ZoneB, $"select count(*) from \"{B.LedgerSchema}\".mt_events where stream_id like 'commitment/zone-a-%'"));
        Assert.Equal(0L, await CountAsync(TestDatabase.ConnectionString, $"select count(*) from \"{A.LedgerSchema}\".mt_events where stream_id = 'government/360981'"));
    }

    [Fact]
    public async Task Each_zone_signs_checkpoints_of_its_own_origin_over_its_own_log()
    {
        // zone-b records one more event than the pilot zone has at this moment, so the two logs differ in size too.
        var extra = await B.Client("admin").PostJsonAsync("/api/governments", new
        {
            governmentId = "360982", nameZh = "樟树市", nameEn = "Zhangshu", province = "Jiangxi", prefecture = "Yichun", level = "CountyLevelCity",
        });
        Assert.Equal(HttpStatusCode.Created, extra.StatusCode);

        var a = await (await A.Client("auditor").PostAsync("/api/integrity/checkpoints", null)).ReadAsync();
        var b = await (await B.Client("auditor").PostAsync("/api/integrity/checkpoints", null)).ReadAsync();

        var (noteA, noteB) = ((string)a["signedNote"]!, (string)b["signedNote"]!);
        Assert.StartsWith("ledger.local/pilot-zone\n", noteA, StringComparison.Ordinal);
        Assert.StartsWith("ledger.local/zone-b\n", noteB, StringComparison.Ordinal);
        Assert.Equal(await CountAsync(TestDatabase.ConnectionString, $"select count(*) from \"{A.LedgerSchema}\".mt_events"), (long)a["treeSize"]!);
        Assert.Equal(await CountAsync(zones.ZoneB, $"select count(*) from \"{B.LedgerSchema}\".mt_events"), (long)b["treeSize"]!);
        Assert.NotEqual((string)a["root"]!, (string)b["root"]!);
        // Each signed with its own key: the other's verifier key does not verify it.
        var keyA = await (await A.Anonymous().GetAsync("/api/integrity/public-key")).Content.ReadAsStringAsync();
        var keyB = await (await B.Anonymous().GetAsync("/api/integrity/public-key")).Content.ReadAsStringAsync();
        Assert.NotEqual(keyA, keyB);
        Assert.StartsWith("ledger.local/zone-b+", keyB, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_for_one_zone_is_refused_by_the_other_zones_node_with_401_wrong_zone_naming_the_claim()
    {
        foreach (var (token, node) in new[] { (A.Token("auditor"), B), (B.Token("auditor"), A), (A.Token("national"), B) })
        {
            var refused = await WithToken(node, token).GetAsync("/api/governments");

            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            var problem = await refused.ReadAsync();
            Assert.Equal("wrong_zone", (string?)problem["code"]);
            Assert.Equal("ledger_zone", (string?)problem["claim"]);
            Assert.Contains($"serves zone '{node.Zone}'", (string?)problem["detail"], StringComparison.Ordinal);
        }
        // The same tokens at home are fine: the key is shared, so only the zone refused them.
        Assert.Equal(HttpStatusCode.OK, (await WithToken(A, A.Token("auditor")).GetAsync("/api/governments")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await WithToken(B, B.Token("auditor")).GetAsync("/api/governments")).StatusCode);
    }

    [Fact]
    public async Task A_token_without_the_zone_claim_is_refused_with_401_missing_zone()
    {
        var zoneless = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = TokenSettings.DefaultIssuer,
            Audience = TokenSettings.DefaultAudience,
            Subject = new ClaimsIdentity([new Claim(LedgerClaims.Subject, "auditor"), new Claim(LedgerClaims.Role, "auditor")]),
            Expires = DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Convert.FromBase64String(zones.TokenKey)), SecurityAlgorithms.HmacSha256),
        });

        var refused = await WithToken(A, zoneless).GetAsync("/api/governments");

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var problem = await refused.ReadAsync();
        Assert.Equal("missing_zone", (string?)problem["code"]);
        Assert.Equal("ledger_zone", (string?)problem["claim"]);
    }

    [Fact]
    public async Task A_node_configured_for_another_zone_than_its_databases_refuses_to_start_naming_the_setting()
    {
        var stray = new ZoneNode("zone-x", zones.ZoneB, A.Schema, zones.Registry, zones.TokenKey);
        try
        {
            var refused = await Assert.ThrowsAnyAsync<Exception>(stray.InitializeAsync);

            Assert.Contains("Ledger:Zone is 'zone-x'", refused.Message, StringComparison.Ordinal);
            Assert.Contains("holds the ledger of zone 'zone-b'", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            await Teardown.DisposeAsync(stray, "zone-x node");
        }
        // Nothing of zone-x was written there: the database still names zone-b, and its node still serves it.
        Assert.Equal("zone-b", await ScalarAsync<string>(zones.ZoneB, $"select zone_id from \"{A.Schema}\".ledger_zone"));
        Assert.Equal(HttpStatusCode.OK, (await B.Client("auditor").GetAsync("/api/governments")).StatusCode);
    }

    [Fact]
    public async Task The_overview_shows_each_zones_compliance_origin_and_log_side_by_side()
    {
        await PilotZone.ActiveCommitmentAsync(A, "zone-overview-water");
        await A.Client("auditor").PostAsync("/api/integrity/checkpoints", null);
        await B.Client("auditor").PostAsync("/api/integrity/checkpoints", null);

        var overview = await WaitForAsync(A, o => Zone(o, "pilot-zone")?["views"]?["eventsBehind"]?.GetValue<long>() == 0
            && Zone(o, "pilot-zone")?["compliance"]?["commitments"]?.GetValue<int>() >= 1
            && Zone(o, "zone-b")?["views"]?["eventsBehind"]?.GetValue<long>() == 0);

        Assert.Equal("pilot-zone", (string?)overview["thisZone"]);
        var (pilot, b) = (Zone(overview, "pilot-zone")!, Zone(overview, "zone-b")!);
        Assert.True((bool)pilot["thisNode"]!);
        Assert.False((bool)b["thisNode"]!);
        Assert.Equal(("ok", "ok"), ((string?)pilot["status"], (string?)b["status"]));
        Assert.Equal("ledger.local/pilot-zone", (string?)pilot["origin"]);
        Assert.Equal("ledger.local/zone-b", (string?)b["origin"]);
        Assert.Equal("第二测试区", (string?)b["name"]);
        Assert.True((long)pilot["treeSize"]! > 0 && (long)b["treeSize"]! > 0);
        Assert.NotNull(pilot["checkpointAgeSeconds"]);
        // zone-b holds its governments and none of the pilot zone's commitments.
        Assert.Equal(0, (int)b["compliance"]!["commitments"]!);
        Assert.True((int)pilot["compliance"]!["active"]! >= 1);
        Assert.Contains(pilot["governments"]!.AsArray(), g => (string?)g!["governmentId"] == PilotZone.Liuyang);
        Assert.Contains(b["governments"]!.AsArray(), g => (string?)g!["governmentId"] == PilotZone.Shangli);
    }

    [Fact]
    public async Task Zone_add_registers_a_zone_while_the_nodes_run_and_the_overview_then_shows_it_and_an_unreachable_one_as_such()
    {
        var before = await OverviewAsync(A);
        Assert.Null(Zone(before, "zone-c"));

        var added = await zones.ToolAsync("zone", "add", "zone-c", "--connection", zones.ZoneC);
        Assert.True(added.Exit == 0, added.Error);
        Assert.Contains("zone 'zone-c' added", added.Output, StringComparison.Ordinal);
        // A zone whose server is gone (here: registered with a port nothing listens on).
        await ExecuteAsync(zones.Registry, "insert into zones.mt_tenant_databases (tenant_id, connection_string) values " +
            "('zone-gone', 'Host=127.0.0.1;Port=1;Database=ledger_gone;Username=postgres;Timeout=2')");
        try
        {
            // On either node, without a restart.
            foreach (var node in new[] { A, B })
            {
                var after = await OverviewAsync(node);
                var c = Zone(after, "zone-c")!;
                Assert.Equal("ok", (string?)c["status"]);
                Assert.Equal("ledger.local/zone-c", (string?)c["origin"]);
                Assert.Equal(0L, (long)c["treeSize"]!);
                Assert.Equal("unreachable", (string?)Zone(after, "zone-gone")!["status"]);
                Assert.False(string.IsNullOrEmpty((string?)Zone(after, "zone-gone")!["problem"]));
                Assert.Equal("ok", (string?)Zone(after, "zone-b")!["status"]);
            }
            var listed = await zones.ToolAsync("zone", "list");
            Assert.Equal(0, listed.Exit);
            Assert.Contains("zone-c", listed.Output, StringComparison.Ordinal);
            Assert.Contains("ledger.local/zone-b", listed.Output, StringComparison.Ordinal);
        }
        finally
        {
            await ExecuteAsync(zones.Registry, "delete from zones.mt_tenant_databases where tenant_id = 'zone-gone'");
        }
    }

    [Fact]
    public async Task Bad_zone_add_input_is_refused_in_one_line_and_changes_nothing()
    {
        var registered = await RegisteredAsync();
        var unused = TwoZones.Database($"zunused_{Guid.NewGuid():N}"[..20]);
        var cases = new (string[] Args, int Exit, string Says)[]
        {
            (["zone", "add", "Zone_D", "--connection", unused], 2, "is not a zone id"),
            (["zone", "add", "zone-d", "--connection", "Nonsense=1"], 2, "--connection is not a connection string"),
            (["zone", "add", "zone-d", "--connection", new NpgsqlConnectionStringBuilder(unused) { Port = 1, Timeout = 2 }.ConnectionString], 1, "cannot reach the zone's database"),
            (["zone", "add", "zone-b", "--connection", unused], 1, "zone 'zone-b' is registered already"),
            (["zone", "add", "zone-d", "--connection", zones.ZoneB], 1, "holds zone 'zone-b' already"),
            // The pilot zone's own database, under another zone's name.
            (["zone", "add", "zone-d", "--connection", TestDatabase.ConnectionString], 1, "holds the ledger of zone 'pilot-zone'"),
        };
        foreach (var (args, exit, says) in cases)
        {
            var refused = await zones.ToolAsync(args);

            Assert.True(refused.Exit == exit, $"{string.Join(' ', args)}: exit {refused.Exit}: {refused.Error}");
            Assert.Contains(says, refused.Error, StringComparison.Ordinal);
            Assert.Single(refused.Error.Trim().Split('\n'));
        }
        Assert.Equal(registered, await RegisteredAsync());
        Assert.Equal(0L, await CountAsync(TestDatabase.ConnectionString,
            $"select count(*) from pg_database where datname = '{new NpgsqlConnectionStringBuilder(unused).Database}'"));
        Assert.Equal("pilot-zone", await ScalarAsync<string>(TestDatabase.ConnectionString, $"select zone_id from \"{A.Schema}\".ledger_zone"));
    }

    [Theory]
    [InlineData("supervisor", null)]
    [InlineData("decision", null)]
    [InlineData("auditor", null)]
    [InlineData("admin", null)]
    [InlineData("government", PilotZone.Liuyang)]
    public async Task The_overview_refuses_every_role_but_national(string role, string? government)
    {
        var refused = await A.Client(role, government).GetAsync("/api/national/overview");

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("forbidden", (string?)(await refused.ReadAsync())["code"]);
        Assert.Equal(HttpStatusCode.Unauthorized, (await A.Anonymous().GetAsync("/api/national/overview")).StatusCode);
    }

    private static async Task<JsonNode> OverviewAsync(ZoneNode node)
    {
        var response = await node.Client("national").GetAsync("/api/national/overview");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.ReadAsync();
    }

    private static async Task<JsonNode> WaitForAsync(ZoneNode node, Func<JsonNode, bool> ready)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var overview = await OverviewAsync(node);
            if (ready(overview)) return overview;
            if (DateTime.UtcNow > deadline) Assert.Fail("the overview did not catch up in 30 s: " + overview.ToJsonString());
            await Task.Delay(200);
        }
    }

    private static JsonNode? Zone(JsonNode overview, string zone) =>
        overview["zones"]!.AsArray().FirstOrDefault(z => (string?)z!["zone"] == zone);

    private async Task<string> RegisteredAsync() =>
        await ScalarAsync<string>(zones.Registry, "select string_agg(tenant_id || '=' || connection_string, ';' order by tenant_id) from zones.mt_tenant_databases");

    private static HttpClient WithToken(LedgerHost node, string token)
    {
        var client = node.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<long> CountAsync(string connectionString, string sql) => await ScalarAsync<long>(connectionString, sql);

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
