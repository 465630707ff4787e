using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ledger.Api.Tests.Support;
using Ledger.Projections;
using Ledger.Projections.Querying;
using Marten;
using Marten.Linq;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Ledger.Api.Tests;

/// <summary>
/// The registry's lists (GET /api/governments, /api/agreements, /api/commitments) answer in the
/// views' shape, {items, next, freshness}: keyset pages by each sort key, the views' filters and
/// refusals, governments named in Chinese and English, and the write position as their freshness.
/// Checked against the loaded pilot-zone scenario; what each list should hold is read from the
/// scenario file and from the records themselves, never written into the test.
/// </summary>
public sealed class ListTests(ScenarioTests.LoadedScenario scenario) : IClassFixture<ScenarioTests.LoadedScenario>
{
    private LedgerHost Host => scenario.Host;

    /// <summary>Each list's path, the field naming an item, and how many the scenario registers.</summary>
    private (string Path, string Id, int Count) ListOf(string path) => path switch
    {
        "/api/governments" => (path, "governmentId", Posts("/api/governments")),
        "/api/agreements" => (path, "agreementId", Posts("/api/agreements")),
        "/api/commitments" => (path, "commitmentId", Posts("/api/commitments")),
        _ => throw new ArgumentException(path),
    };

    private int Posts(string path) => scenario.File.Steps.Count(s => s.Post == path);

    [Theory]
    [InlineData("/api/governments", "governmentId")]
    [InlineData("/api/governments", "-governmentId")]
    [InlineData("/api/governments", "nameEn")]
    [InlineData("/api/governments", "-nameEn")]
    [InlineData("/api/agreements", "agreementId")]
    [InlineData("/api/agreements", "-agreementId")]
    [InlineData("/api/agreements", "termStart")]
    [InlineData("/api/agreements", "-termEnd")]
    [InlineData("/api/commitments", "commitmentId")]
    [InlineData("/api/commitments", "-commitmentId")]
    [InlineData("/api/commitments", "agreementId")]
    [InlineData("/api/commitments", "deadline")]
    [InlineData("/api/commitments", "-deadline")]
    public async Task Walking_a_list_with_the_cursor_returns_every_item_once_in_the_order_of_its_sort(string path, string sort)
    {
        var (_, idField, count) = ListOf(path);
        var key = sort.TrimStart('-');
        var direction = sort.StartsWith('-') ? -1 : 1;

        var walked = new List<JsonNode>();
        var pages = 0;
        string? cursor = null;
        do
        {
            var page = await GetAsync($"{path}?sort={sort}&limit=3" + (cursor is null ? "" : "&cursor=" + cursor));
            var items = page["items"]!.AsArray();
            Assert.InRange(items.Count, 1, 3);
            walked.AddRange(items.Select(i => i!));
            cursor = (string?)page["next"];
            pages++;
        }
        while (cursor is not null);

        // Every item once: as many as the scenario registers, no id twice.
        Assert.True(count > 3, $"{path}: the scenario registers only {count}");
        Assert.Equal(count, walked.Count);
        Assert.Equal(count, walked.Select(i => (string?)i[idField]).Distinct().Count());
        Assert.Equal((count + 2) / 3, pages);
        // In the order of the sort, ties broken by the id in the same direction (the cluster's collation is C).
        for (var i = 1; i < walked.Count; i++)
        {
            var (before, after) = (walked[i - 1], walked[i]);
            var byKey = string.CompareOrdinal(Text(before[key]), Text(after[key]));
            var order = byKey != 0 ? byKey : string.CompareOrdinal((string?)before[idField], (string?)after[idField]);
            Assert.True(order * direction < 0, $"{path}?sort={sort}: {before[idField]} ({before[key]}) came before {after[idField]} ({after[key]})");
        }
        // Without a cursor, one page of 200 is the same list.
        var whole = (await GetAsync($"{path}?sort={sort}&limit=200"))["items"]!.AsArray();
        Assert.Equal(walked.Select(i => (string?)i[idField]), whole.Select(i => (string?)i![idField]));
    }

    [Theory]
    [InlineData("/api/governments")]
    [InlineData("/api/agreements")]
    [InlineData("/api/commitments")]
    public async Task A_list_says_it_is_as_fresh_as_the_write_position_since_it_is_written_with_the_events(string path)
    {
        var page = await GetAsync(path);
        var views = await GetAsync("/api/supervision/freshness");

        var freshness = page["freshness"]!;
        Assert.Equal("inline", (string?)freshness["written"]);
        Assert.Equal(0, (long)freshness["eventsBehind"]!);
        Assert.Equal(0, (double)freshness["secondsBehind"]!);
        // No write between the two reads: the list's position is the ledger's highest committed event.
        Assert.Equal((long)views["storePosition"]!, (long)freshness["position"]!);
        Assert.Equal((long)freshness["position"]!, (long)freshness["storePosition"]!);
        Assert.Equal("async", (string?)views["written"]);
        // The default page: the first sort key, 50 items at most, the scenario's lists fit in one.
        Assert.Null(page["next"]);
        Assert.Equal(ListOf(path).Count, page["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task Governments_filter_by_province_prefecture_and_level()
    {
        var all = await Host.ListAllAsync("/api/governments");

        await AssertFilterAsync(all, "/api/governments?province=Jiangxi", "governmentId", g => (string?)g["province"] == "Jiangxi");
        await AssertFilterAsync(all, "/api/governments?prefecture=Changsha", "governmentId", g => (string?)g["prefecture"] == "Changsha");
        await AssertFilterAsync(all, "/api/governments?level=CountyLevelCity", "governmentId", g => (string?)g["level"] == "CountyLevelCity");
        await AssertFilterAsync(all, "/api/governments?province=Hunan&level=County", "governmentId",
            g => (string?)g["province"] == "Hunan" && (string?)g["level"] == "County");
    }

    [Fact]
    public async Task Agreements_filter_by_task_area_status_party_and_term()
    {
        var all = await Host.ListAllAsync("/api/agreements");
        var area = (string)all[0]!["taskArea"]!;
        var party = (string)all[^1]!["parties"]![0]!["governmentId"]!;

        await AssertFilterAsync(all, $"/api/agreements?taskArea={area}", "agreementId", a => (string?)a["taskArea"] == area);
        await AssertFilterAsync(all, $"/api/agreements?government={party}", "agreementId",
            a => a["parties"]!.AsArray().Any(p => (string?)p!["governmentId"] == party));
        // In force at some time in the period: the term overlaps it (the scenario's five agreements share one term).
        var first = all.Min(a => DateOnly.Parse((string)a!["termStart"]!));
        var last = all.Max(a => DateOnly.Parse((string)a!["termEnd"]!));
        Assert.Empty(await Host.ListAllAsync($"/api/agreements?period={first.Year - 1}"));
        Assert.Equal(all.Count, (await Host.ListAllAsync($"/api/agreements?period={first.Year}-{first.Month:00}")).Count);
        Assert.Equal(all.Count, (await Host.ListAllAsync($"/api/agreements?period={last.Year}-Q4")).Count);
        Assert.Empty(await Host.ListAllAsync($"/api/agreements?period={last.Year + 1}"));
        var active = await AssertFilterAsync(all, "/api/agreements?status=Active", "agreementId", a => (string?)a["status"] == "Active", allowAll: true);
        Assert.Equal(Posts("/api/agreements"), active.Count); // every agreement of the scenario is signed and active
        Assert.Empty((await GetAsync("/api/agreements?status=Terminated"))["items"]!.AsArray());
    }

    [Fact]
    public async Task Commitments_filter_by_agreement_participant_status_and_deadline()
    {
        var all = await Host.ListAllAsync("/api/commitments");
        var records = new Dictionary<string, JsonNode>();
        foreach (var c in all)
            records[(string)c!["commitmentId"]!] = await GetAsync($"/api/commitments/{c["commitmentId"]}");

        await AssertFilterAsync(all, "/api/commitments?agreement=xgb-2021-a03", "commitmentId", c => (string?)c["agreementId"] == "xgb-2021-a03");
        await AssertFilterAsync(all, "/api/commitments?status=Fulfilled", "commitmentId", c => (string?)c["status"] == "Fulfilled");
        await AssertFilterAsync(all, "/api/commitments?period=2025", "commitmentId", c => ((string)c["deadline"]!).StartsWith("2025-", StringComparison.Ordinal));
        await AssertFilterAsync(all, "/api/commitments?period=2025-Q4&agreement=xgb-2021-a03", "commitmentId",
            c => (string?)c["agreementId"] == "xgb-2021-a03" && string.CompareOrdinal((string)c["deadline"]!, "2025-10-01") >= 0 && string.CompareOrdinal((string)c["deadline"]!, "2025-12-31") <= 0);

        // A participant, as in the supervision views: the lead or a contributor. Pick a government that
        // contributes to some commitment it does not lead, so the filter is seen to reach contributors.
        var contributor = records.Values.SelectMany(r => r["contributors"]!.AsArray().Select(x => (string)x!["governmentId"]!)).First();
        var participates = await AssertFilterAsync(all, $"/api/commitments?government={contributor}", "commitmentId",
            c => (string?)c["leadGovernmentId"] == contributor
                || records[(string)c["commitmentId"]!]["contributors"]!.AsArray().Any(x => (string?)x!["governmentId"] == contributor));
        Assert.Contains(participates, id => (string?)records[id]["leadGovernmentId"] != contributor);
    }

    [Fact]
    public async Task Commitments_and_agreements_name_each_government_in_Chinese_and_English_as_the_registry_does()
    {
        var registry = (await Host.ListAllAsync("/api/governments")).ToDictionary(g => (string)g!["governmentId"]!, g => g!);
        var commitments = await Host.ListAllAsync("/api/commitments");
        var agreements = await Host.ListAllAsync("/api/agreements");

        Assert.All(commitments, c =>
        {
            var lead = registry[(string)c!["leadGovernmentId"]!];
            Assert.Equal((string?)lead["nameZh"], (string?)c["leadGovernmentNameZh"]);
            Assert.Equal((string?)lead["nameEn"], (string?)c["leadGovernmentNameEn"]);
        });
        Assert.All(agreements.SelectMany(a => a!["parties"]!.AsArray()), p =>
        {
            var government = registry[(string)p!["governmentId"]!];
            Assert.Equal((string?)government["nameZh"], (string?)p["nameZh"]);
            Assert.Equal((string?)government["nameEn"], (string?)p["nameEn"]);
        });
        // The names are the ones the scenario registered (Liuyang, 430181, leads the river water commitment).
        var registered = scenario.File.Steps.Single(s => s.Post == "/api/governments" && (string?)s.Body!["governmentId"] == "430181").Body!;
        var water = commitments.Single(c => (string?)c!["commitmentId"] == "a01-water-class-iii")!;
        Assert.Equal((string?)registered["nameZh"], (string?)water["leadGovernmentNameZh"]);
        Assert.Equal((string?)registered["nameEn"], (string?)water["leadGovernmentNameEn"]);
        Assert.False(string.IsNullOrEmpty((string?)water["leadGovernmentNameZh"]));
    }

    [Theory]
    [InlineData("/api/commitments?agreementId=xgb-2021-a01", HttpStatusCode.BadRequest, "unknown_filter", "agreementId")]
    [InlineData("/api/commitments?leadGovernmentId=430181", HttpStatusCode.BadRequest, "unknown_filter", "leadGovernmentId")]
    [InlineData("/api/commitments?status=Lost", HttpStatusCode.UnprocessableEntity, "invalid_filter_value", "status")]
    [InlineData("/api/commitments?period=2024-Q5", HttpStatusCode.BadRequest, "invalid_period", "period")]
    [InlineData("/api/commitments?sort=title", HttpStatusCode.UnprocessableEntity, "unknown_sort", "sort")]
    [InlineData("/api/commitments?cursor=not-a-cursor", HttpStatusCode.BadRequest, "invalid_cursor", "cursor")]
    [InlineData("/api/agreements?taskArea=Weather", HttpStatusCode.UnprocessableEntity, "invalid_filter_value", "taskArea")]
    [InlineData("/api/agreements?status=Signed", HttpStatusCode.UnprocessableEntity, "invalid_filter_value", "status")]
    [InlineData("/api/agreements?limit=0", HttpStatusCode.UnprocessableEntity, "limit_out_of_range", "limit")]
    [InlineData("/api/agreements?limit=201", HttpStatusCode.UnprocessableEntity, "limit_out_of_range", "limit")]
    [InlineData("/api/agreements?sort=-title", HttpStatusCode.UnprocessableEntity, "unknown_sort", "sort")]
    [InlineData("/api/governments?limit=ten", HttpStatusCode.BadRequest, "invalid_limit", "limit")]
    [InlineData("/api/governments?province=hunan", HttpStatusCode.UnprocessableEntity, "invalid_filter_value", "province")]
    [InlineData("/api/governments?level=Town", HttpStatusCode.UnprocessableEntity, "invalid_filter_value", "level")]
    [InlineData("/api/governments?province=Hunan&province=Jiangxi", HttpStatusCode.BadRequest, "repeated_filter", "province")]
    [InlineData("/api/governments?sort=nameZh", HttpStatusCode.UnprocessableEntity, "unknown_sort", "sort")]
    public async Task A_bad_list_query_is_refused_as_problem_json_naming_the_parameter_and_changes_nothing(string path, HttpStatusCode status, string code, string field)
    {
        var before = await WritePositionAsync();

        using var response = await Host.Client("auditor").GetAsync(path);

        await response.AssertProblemAsync(status, code, field);
        Assert.Equal(before, await WritePositionAsync());
    }

    [Theory]
    [InlineData("/api/governments", "nameEn", "governmentId")]
    [InlineData("/api/agreements", "termEnd", "agreementId")]
    [InlineData("/api/commitments", "deadline", "commitmentId")]
    public async Task A_cursor_from_another_sort_or_with_a_forged_key_is_refused(string path, string sort, string other)
    {
        var before = await WritePositionAsync();
        var cursor = (string)(await GetAsync($"{path}?sort={sort}&limit=2"))["next"]!;

        using var otherSort = await Host.Client("auditor").GetAsync($"{path}?sort={other}&limit=2&cursor={cursor}");
        await otherSort.AssertProblemAsync(HttpStatusCode.BadRequest, "cursor_sort_mismatch", "cursor");

        // A date key that is not a date would fail in PostgreSQL: refused before anything is read.
        var forged = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"[\"{sort}\",\"yesterday\",\"x\"]")).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        using var bad = await Host.Client("auditor").GetAsync($"{path}?sort={sort}&cursor={forged}");
        if (sort == "nameEn")
            Assert.Equal(HttpStatusCode.OK, bad.StatusCode); // a text key is any text: it resumes after it
        else
            await bad.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_cursor", "cursor");
        Assert.Equal(before, await WritePositionAsync());
    }

    public static TheoryData<string, string> EverySort()
    {
        var data = new TheoryData<string, string>();
        foreach (var sort in GovernmentViewQuery.Sorts) data.Add("governments", sort.Name);
        foreach (var sort in AgreementViewQuery.Sorts) data.Add("agreements", sort.Name);
        foreach (var sort in CommitmentRecordQuery.Sorts) data.Add("commitments", sort.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(EverySort))]
    public async Task Every_sort_a_list_offers_reads_an_index_on_its_key_both_ways_and_after_a_cursor(string list, string sort)
    {
        var store = Host.Services.GetRequiredService<IDocumentStore>();
        await using var session = store.QuerySession();
        // The page query exactly as the endpoint runs it: each direction, first page and after a cursor.
        foreach (var requested in new[] { sort, "-" + sort })
        {
            var cursor = (string?)(await GetAsync($"/api/{list}?sort={requested}&limit=2"))["next"];
            Assert.NotNull(cursor);
            foreach (var after in new[] { null, cursor })
            {
                var request = new ViewRequest(new Dictionary<string, string>(), requested, after);
                var (command, key) = list switch
                {
                    "governments" => Explainable(GovernmentViewQuery.Check(request), session),
                    "agreements" => Explainable(AgreementViewQuery.Check(request), session),
                    _ => Explainable(CommitmentRecordQuery.Check(request), session),
                };
                var plan = await ExplainAsync(store, command);

                // With sequential scans priced out, the planner reads an index whose column is the sort
                // key (in the key's order, forward or backward); without one it would still scan the table.
                Assert.DoesNotContain("Seq Scan", plan, StringComparison.Ordinal);
                Assert.DoesNotMatch(new Regex(@"(^|->  )Sort ", RegexOptions.Multiline), plan); // in the index's order: at most an incremental sort of ties by id
                var used = Regex.Matches(plan, @"Index (?:Only )?Scan(?: Backward)? using (\S+) on").Select(m => m.Groups[1].Value).ToList();
                Assert.True(used.Count > 0, $"{list}?sort={requested}: no index scan in\n{plan}");
                var definitions = await IndexDefinitionsAsync(store, used);
                Assert.True(definitions.Any(d => d.Contains($"({key})", StringComparison.Ordinal)),
                    $"{list}?sort={requested}{(after is null ? "" : " after a cursor")}: the plan reads {string.Join(", ", definitions)}, none on {key}\n{plan}");
            }
        }
    }

    [Fact]
    public async Task A_commitments_reports_are_read_in_the_order_of_one_index_over_commitment_version_and_id()
    {
        const string water = "a01-water-class-iii";
        var store = Host.Services.GetRequiredService<IDocumentStore>();
        await using var session = store.QuerySession();
        foreach (var requested in new[] { "version", "-version" })
        {
            var cursor = (string?)(await GetAsync($"/api/commitments/{water}/reports?sort={requested}&limit=2"))["next"];
            Assert.NotNull(cursor);
            foreach (var after in new[] { null, cursor })
            {
                var (command, _) = Explainable(ProgressReportRecordQuery.Check(water, new ViewRequest(new Dictionary<string, string>(), requested, after)), session);
                var plan = await ExplainAsync(store, command);
                Assert.DoesNotContain("Seq Scan", plan, StringComparison.Ordinal);
                Assert.DoesNotMatch(new Regex(@"(^|->  )(Incremental )?Sort ", RegexOptions.Multiline), plan);
                Assert.Contains("idx_commitment_id_stream_version_id", plan, StringComparison.Ordinal);
            }
        }

        // A report's write keeps that one index beside the key, and no index on a column alone.
        var indexes = await TestDatabase.ScalarAsync<string>(
            $"select string_agg(indexname, ',' order by indexname) from pg_indexes where schemaname = '{Host.Schema}' and tablename = 'mt_doc_progressreportrecord'");
        Assert.Equal(["mt_doc_progressreportrecord_idx_commitment_id_stream_version_id", "pkey_mt_doc_progressreportrecord_id"], indexes.Split(','));
    }

    private static (NpgsqlCommand Command, string Key) Explainable<T>(CheckedView<T> view, IQuerySession session) where T : notnull =>
        (view.Query(session).ToCommand(FetchType.FetchMany), view.Plan.Sort.Sql);

    private static async Task<string> ExplainAsync(IDocumentStore store, NpgsqlCommand command)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // Tables of a few dozen rows are cheapest read whole and sorted: price that out (and bitmap scans,
        // which read an index unordered), so the plan shows whether an index can give the page in order.
        await using (var off = new NpgsqlCommand("set local enable_seqscan = off; set local enable_bitmapscan = off; set local enable_sort = off", connection, transaction))
            await off.ExecuteNonQueryAsync();
        command.Connection = connection;
        command.Transaction = transaction;
        command.CommandText = "explain " + command.CommandText;
        var lines = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) lines.Add(reader.GetString(0));
        }
        await transaction.RollbackAsync();
        return string.Join('\n', lines);
    }

    private static async Task<List<string>> IndexDefinitionsAsync(IDocumentStore store, IReadOnlyList<string> names)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select indexdef from pg_indexes where schemaname = $1 and indexname = any($2)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = store.Options.DatabaseSchemaName });
        command.Parameters.Add(new NpgsqlParameter { Value = names.ToArray() });
        var definitions = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) definitions.Add(reader.GetString(0));
        return definitions;
    }

    /// <summary>
    /// Asserts that <paramref name="query"/> answers exactly the items of <paramref name="all"/> that
    /// <paramref name="expected"/> holds for, some but (unless <paramref name="allowAll"/>) not all of them.
    /// </summary>
    private async Task<List<string>> AssertFilterAsync(JsonArray all, string query, string idField, Func<JsonNode, bool> expected, bool allowAll = false)
    {
        var want = all.Where(i => expected(i!)).Select(i => (string)i![idField]!).ToList();
        var got = (await Host.ListAllAsync(query)).Select(i => (string)i![idField]!).ToList();

        Assert.NotEmpty(want);
        if (!allowAll) Assert.True(want.Count < all.Count, $"{query} would keep every item: not a test of the filter");
        Assert.Equal(want, got);
        return got;
    }

    private async Task<long> WritePositionAsync() => (long)(await GetAsync("/api/supervision/freshness"))["storePosition"]!;

    private static string? Text(JsonNode? node) => node?.GetValueKind() == System.Text.Json.JsonValueKind.String ? (string?)node : node?.ToJsonString();

    private Task<JsonNode> GetAsync(string path) => Host.GetJsonAsync(path);
}
