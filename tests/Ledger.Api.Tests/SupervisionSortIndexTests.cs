using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ledger.Api.Tests.Support;
using Ledger.Contracts;
using Ledger.Projections.Querying;
using Ledger.Projections.Supervision;
using Marten;
using Marten.Linq;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Ledger.Api.Tests;

/// <summary>
/// Every sort key of every supervision view reads an index whose columns are the key and the id: with
/// some thousands of rows in each view, PostgreSQL, left to choose, reads a page in that index's order,
/// both ways, the first page and after a cursor, without scanning or sorting the table. Walked with the
/// cursor through the API, each sort gives the order the views gave when they sorted by the JSON
/// (ties broken by the id, no on-time rate as -1, nothing overdue after every date).
/// </summary>
public sealed class SupervisionSortIndexTests(SupervisionSortIndexTests.ManyRows rows) : IClassFixture<SupervisionSortIndexTests.ManyRows>
{
    private LedgerHost Host => rows.Host;

    /// <summary>Each view's path, its table, where a row's id is in an answer's item, and its sort keys.</summary>
    internal static readonly Dictionary<string, (string Table, string[] IdPath, IReadOnlyList<string> Sorts)> Views = new()
    {
        ["commitments"] = ("mt_doc_commitmentstanding", ["id"], [.. CommitmentStandingQuery.Sorts.Select(s => s.Name)]),
        ["governments"] = ("mt_doc_governmentcompliance", ["id"], [.. GovernmentComplianceQuery.Sorts.Select(s => s.Name)]),
        ["agreements"] = ("mt_doc_agreementprogress", ["id"], [.. AgreementProgressQuery.Sorts.Select(s => s.Name)]),
        ["areas"] = ("mt_doc_areasummary", ["id"], [.. AreaSummaryQuery.Sorts.Select(s => s.Name)]),
        ["overdue"] = ("mt_doc_overdueitem", ["item", "id"], [.. OverdueItemQuery.Sorts.Select(s => s.Name)]),
        ["rectifications"] = ("mt_doc_rectificationtrack", ["rectification", "id"], [.. RectificationTrackQuery.Sorts.Select(s => s.Name)]),
        ["scorecards"] = ("mt_doc_scorecard", ["id"], [.. ScorecardQuery.Sorts.Select(s => s.Name)]),
    };

    /// <summary>
    /// The order each sort gave before its key had an index: the SQL over the JSON document the views
    /// sorted by (or, for keys already in a column, the same value read from the JSON).
    /// </summary>
    internal static readonly Dictionary<string, string> SortedBefore = new()
    {
        ["commitments/commitmentId"] = "id",
        ["commitments/deadline"] = "(data->>'deadline')::date",
        ["commitments/overdueSince"] = "coalesce((data->>'overdueSince')::date, date '9999-12-31')",
        ["commitments/progress"] = "(data->>'progress')::numeric",
        ["commitments/openRectifications"] = "(data->>'openRectifications')::numeric",
        ["governments/governmentId"] = "id",
        ["governments/onTimeRate"] = "coalesce((data->>'onTimeRate')::numeric, -1)",
        ["governments/overdueItems"] = "(data->>'overdueItems')::numeric",
        ["governments/openRectifications"] = "(data->>'openRectifications')::numeric",
        ["agreements/agreementId"] = "id",
        ["agreements/progress"] = "(data->>'progress')::numeric",
        ["agreements/overdueItems"] = "(data->>'overdueItems')::numeric",
        ["areas/id"] = "id",
        ["areas/progress"] = "(data->>'progress')::numeric",
        ["areas/overdueItems"] = "(data->>'overdueItems')::numeric",
        ["overdue/dueOn"] = "(data->>'dueOn')::date",
        ["overdue/commitmentId"] = "data->>'commitmentId'",
        ["rectifications/dueOn"] = "(data->>'dueOn')::date",
        ["rectifications/orderedAt"] = "(data->>'orderedAt')::timestamptz",
        ["scorecards/rank"] = "(data->>'rank')::numeric",
        ["scorecards/total"] = "(data->>'total')::numeric",
        ["scorecards/governmentId"] = "data->>'governmentId'",
    };

    public static TheoryData<string, string> EverySort()
    {
        var data = new TheoryData<string, string>();
        foreach (var (view, (_, _, sorts)) in Views)
        {
            foreach (var sort in sorts) data.Add(view, sort);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(EverySort))]
    public async Task Every_sort_of_a_supervision_view_reads_an_index_on_its_key_and_the_id_both_ways_and_after_a_cursor(string view, string sort)
    {
        var store = Host.Services.GetRequiredService<IDocumentStore>();
        await using var session = store.QuerySession();
        foreach (var requested in new[] { sort, "-" + sort })
        {
            // A cursor from the middle of the view, as the API issues it.
            var page = await GetAsync($"/api/supervision/{view}?sort={requested}&limit=200");
            var cursor = (string?)(await GetAsync($"/api/supervision/{view}?sort={requested}&limit=200&cursor={(string)page["next"]!}"))["next"];
            Assert.NotNull(cursor);
            foreach (var after in new[] { null, cursor })
            {
                var request = new ViewRequest(new Dictionary<string, string>(), requested, after);
                var (command, key) = view switch
                {
                    "commitments" => Explainable(CommitmentStandingQuery.Check(request), session),
                    "governments" => Explainable(GovernmentComplianceQuery.Check(request), session),
                    "agreements" => Explainable(AgreementProgressQuery.Check(request), session),
                    "areas" => Explainable(AreaSummaryQuery.Check(request), session),
                    "overdue" => Explainable(OverdueItemQuery.Check(request), session),
                    "rectifications" => Explainable(RectificationTrackQuery.Check(request), session),
                    _ => Explainable(ScorecardQuery.Check(request), session),
                };
                var plan = await ExplainAsync(store, command);
                var what = $"{view}?sort={requested}{(after is null ? "" : " after a cursor")}";

                // Nothing priced out: with this many rows the planner would rather read the index than
                // scan the table and sort it, if an index gives the page in order.
                Assert.True(!plan.Contains("Seq Scan", StringComparison.Ordinal), $"{what} scans the table:\n{plan}");
                Assert.True(!Regex.IsMatch(plan, @"(^|->  )(Incremental )?Sort ", RegexOptions.Multiline), $"{what} sorts:\n{plan}");
                var used = Regex.Matches(plan, @"Index (?:Only )?Scan(?: Backward)? using (\S+) on").Select(m => m.Groups[1].Value).Distinct().ToList();
                var index = Assert.Single(used);
                // The key, then the id (the primary key's index for the id itself).
                string[] expected = key == "id" ? ["id"] : [Canonical(key), "id"];
                var columns = await IndexColumnsAsync(store, index);
                Assert.True(columns.SequenceEqual(expected),
                    $"{what} reads {index} on ({string.Join(", ", columns)}), not on ({string.Join(", ", expected)}):\n{plan}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(EverySort))]
    public async Task Walking_a_supervision_view_by_every_sort_gives_the_order_it_gave_when_it_sorted_by_the_documents_json(string view, string sort)
    {
        var (table, idPath, _) = Views[view];
        foreach (var direction in new[] { "asc", "desc" })
        {
            var requested = direction == "asc" ? sort : "-" + sort;
            var walked = new List<string>();
            string? cursor = null;
            do
            {
                var page = await GetAsync($"/api/supervision/{view}?sort={requested}&limit=200" + (cursor is null ? "" : "&cursor=" + cursor));
                walked.AddRange(page["items"]!.AsArray().Select(i => (string)idPath.Aggregate(i!, (node, name) => node[name]!)!));
                cursor = (string?)page["next"];
            }
            while (cursor is not null);

            var before = await IdsAsync($"select id from \"{Host.Schema}\".{table} order by {SortedBefore[$"{view}/{sort}"]} {direction}, id {direction}");
            Assert.Equal(ManyRows.Count, before.Count);
            Assert.Equal(before, walked);
        }
    }

    [Theory]
    [InlineData("zone")]
    [InlineData("government")]
    [InlineData("agreement")]
    public async Task A_trend_series_finds_its_scopes_first_quarter_at_the_start_of_the_scopes_run_of_an_index(string scope)
    {
        // The series is every quarter from the first stored one, paged in memory: the one sort PostgreSQL
        // does for it is of a scope's stored periods, for the first.
        var store = Host.Services.GetRequiredService<IDocumentStore>();
        await using var session = store.QuerySession();
        var plan = await ExplainAsync(store, TrendPointQuery.StoredPeriods(session, scope).Take(1).ToCommand(FetchType.FetchOne));

        Assert.True(!plan.Contains("Seq Scan", StringComparison.Ordinal), $"{scope}: scans the table:\n{plan}");
        Assert.True(!Regex.IsMatch(plan, @"(^|->  )(Incremental )?Sort ", RegexOptions.Multiline), $"{scope}: sorts:\n{plan}");
        var index = Assert.Single(Regex.Matches(plan, @"Index (?:Only )?Scan using (\S+) on").Select(m => m.Groups[1].Value).Distinct());
        Assert.Equal(["scope", "period"], await IndexColumnsAsync(store, index));
        var first = await TrendPointQuery.StoredPeriods(session, scope).FirstAsync();
        Assert.Equal((await IdsAsync($"select min(data->>'period') from \"{Host.Schema}\".mt_doc_trendpoint where data->>'scope' = '{scope}'"))[0], first);
    }

    /// <summary>How PostgreSQL shows an index's key as written in a sort's SQL: <c>cast('-1' as numeric)</c> as <c>'-1'::numeric</c>.</summary>
    private static string Canonical(string sql) =>
        Regex.Replace(Regex.Replace(sql, @"cast\(('[^']*') as (\w+)\)", "$1::$2", RegexOptions.IgnoreCase), @"\s+", "").ToLowerInvariant();

    private static (NpgsqlCommand Command, string Key) Explainable<T>(CheckedView<T> view, IQuerySession session) where T : notnull =>
        (view.Query(session).ToCommand(FetchType.FetchMany), view.Plan.Sort.Sql);

    private static async Task<string> ExplainAsync(IDocumentStore store, NpgsqlCommand command)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        command.Connection = connection;
        command.CommandText = "explain " + command.CommandText;
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) lines.Add(reader.GetString(0));
        return string.Join('\n', lines);
    }

    /// <summary>The index's key columns as PostgreSQL shows each (an expression as it stores it), spaces removed, lower case.</summary>
    private async Task<List<string>> IndexColumnsAsync(IDocumentStore store, string index)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            select pg_get_indexdef(i.indexrelid, k, true)
            from pg_index i join pg_class c on c.oid = i.indexrelid join pg_namespace n on n.oid = c.relnamespace,
                 generate_series(1, i.indnkeyatts) k
            where n.nspname = $1 and c.relname = $2 order by k
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = Host.Schema });
        command.Parameters.Add(new NpgsqlParameter { Value = index });
        var columns = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) columns.Add(Regex.Replace(reader.GetString(0), @"\s+", "").ToLowerInvariant());
        return columns;
    }

    internal static async Task<List<string>> IdsAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) ids.Add(reader.GetString(0));
        return ids;
    }

    private Task<JsonNode> GetAsync(string path) => Host.GetJsonAsync(path);

    /// <summary>
    /// A host whose views hold <see cref="Count"/> rows each, stored as the projection stores them, with
    /// keys that repeat as a real ledger's do (four progress values, mostly nothing overdue, no rate for
    /// a quarter of the governments) and ids in another order than the keys, then analysed.
    /// </summary>
    public sealed class ManyRows : IAsyncLifetime
    {
        public const int Count = 3_000;

        public LedgerHost Host { get; } = new();

        public async Task InitializeAsync()
        {
            await Host.InitializeAsync();
            var store = Host.Services.GetRequiredService<IDocumentStore>();
            var start = new DateOnly(2023, 1, 1);
            var at = new DateTimeOffset(2023, 1, 1, 1, 0, 0, TimeSpan.Zero);
            // A spread of i over 0..Count-1 that is not its order, so that ties fall to ids out of key order.
            static int Mix(int i, int modulus) => (int)((i * 7919L + 13) % modulus);

            await store.BulkInsertDocumentsAsync(Enumerable.Range(0, Count).Select(i => new CommitmentStanding
            {
                Id = $"c-{i:D5}", CommitmentId = $"c-{i:D5}", AgreementId = $"a-{i % 40:D3}", LeadGovernmentId = $"43{i % 300:D4}",
                Deadline = start.AddDays(Mix(i, 900)), OverdueSince = Mix(i, 5) == 0 ? start.AddDays(Mix(i, 400)) : null,
                Progress = Math.Round(Mix(i, 4) / 3m, 4, MidpointRounding.ToEven), OpenRectifications = Mix(i, 11) == 0 ? 1 + i % 3 : 0,
            }));
            await store.BulkInsertDocumentsAsync(Enumerable.Range(0, Count).Select(i => new GovernmentCompliance
            {
                Id = $"4{i:D5}", GovernmentId = $"4{i:D5}", NameEn = $"County {i}",
                OnTimeRate = Mix(i, 4) == 0 ? null : Math.Round(Mix(i, 17) / 16m, 4, MidpointRounding.ToEven),
                OverdueItems = Mix(i, 6) == 0 ? 1 + i % 4 : 0, OpenRectifications = Mix(i, 9) == 0 ? 1 + i % 2 : 0,
            }));
            await store.BulkInsertDocumentsAsync(Enumerable.Range(0, Count).Select(i => new AgreementProgress
            {
                Id = $"a-{i:D5}", AgreementId = $"a-{i:D5}", Progress = Math.Round(Mix(i, 10) / 9m, 4, MidpointRounding.ToEven),
                OverdueItems = Mix(i, 6) == 0 ? 1 + i % 4 : 0,
            }));
            await store.BulkInsertDocumentsAsync(Enumerable.Range(0, Count).Select(i => new AreaSummary
            {
                Id = AreaSummary.IdFor("prefecture", $"p-{i:D5}"), Scope = "prefecture", Key = $"p-{i:D5}",
                Progress = Math.Round(Mix(i, 10) / 9m, 4, MidpointRounding.ToEven), OverdueItems = Mix(i, 6) == 0 ? 1 + i % 4 : 0,
            }));
            await store.BulkInsertDocumentsAsync(Enumerable.Range(0, Count).Select(i => new OverdueItem
            {
                Id = $"c-{i:D5}/deadline", CommitmentId = $"c-{Mix(i, 1_000):D5}", LeadGovernmentId = $"43{i % 300:D4}",
                Kind = DueKind.Deadline, DueOn = start.AddDays(Mix(i, 700)),
            }));
            await store.BulkInsertDocumentsAsync(Enumerable.Range(0, Count).Select(i => new RectificationTrack
            {
                Id = $"c-{i % 1_000:D5}/r-{i:D5}", CommitmentId = $"c-{i % 1_000:D5}", RectificationId = $"r-{i:D5}", GovernmentId = $"43{i % 300:D4}",
                OrderedAt = at.AddMinutes(Mix(i, 2_000) * 30), DueOn = start.AddDays(Mix(i, 500)), OriginalDueOn = start,
            }));
            await store.BulkInsertDocumentsAsync(Enumerable.Range(0, Count).Select(i => new Scorecard
            {
                Id = $"cycle-{i / 300:D2}/43{Mix(i, 300):D4}", CycleId = $"cycle-{i / 300:D2}", GovernmentId = $"43{Mix(i, 300):D4}",
                Total = Math.Round(40 + Mix(i, 6_000) / 100m, 2), Rank = 1 + Mix(i, 300) / 2, Of = 300,
            }));
            string[] scopes = ["zone", "government", "agreement"];
            await store.BulkInsertDocumentsAsync(Enumerable.Range(0, Count).Select(i =>
            {
                var (scope, key, period) = (scopes[i % 3], $"k-{i / 3 % 100:D3}", $"{2021 + Mix(i, 5)}-Q{1 + i % 4}");
                return new TrendPoint { Id = TrendPoint.IdFor(scope, key, period), Scope = scope, Key = key, Period = period };
            }).DistinctBy(p => p.Id));

            await TestDatabase.ExecuteAsync($"analyze \"{Host.Schema}\".mt_doc_commitmentstanding, \"{Host.Schema}\".mt_doc_governmentcompliance, " +
                $"\"{Host.Schema}\".mt_doc_agreementprogress, \"{Host.Schema}\".mt_doc_areasummary, \"{Host.Schema}\".mt_doc_overdueitem, " +
                $"\"{Host.Schema}\".mt_doc_rectificationtrack, \"{Host.Schema}\".mt_doc_scorecard, \"{Host.Schema}\".mt_doc_trendpoint");
        }

        public async Task DisposeAsync() => await ((IAsyncLifetime)Host).DisposeAsync();
    }
}
