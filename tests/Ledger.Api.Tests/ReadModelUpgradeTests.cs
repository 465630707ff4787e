using Ledger.Api.Tests.Support;
using Ledger.Infrastructure.Store;
using Ledger.Projections.Querying;
using Ledger.Projections.Supervision;
using Npgsql;

namespace Ledger.Api.Tests;

/// <summary>
/// Commitment records and supervision standings of an older shape (before the lifecycle was stored in
/// them, or before reports were documents of their own) are rewritten from the events by <c>setup</c>
/// (which <c>up</c> runs), and <c>rebuild records</c> rewrites every record: each comes back exactly as
/// the events make it. Views written before their sort keys had columns get them filled by setup.
/// </summary>
[Collection(AuditCliCollection.Name)]
public sealed class ReadModelUpgradeTests : IAsyncLifetime
{
    private static readonly string[] Variables = ["ConnectionStrings__Ledger", "LEDGER_DATA_DIR"];
    private SavedEnvironment _saved = null!;
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("ledger-upgrade-").FullName;
    private readonly string _schema = TestDatabase.NewSchemaName("upgrade");

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
    public async Task Setup_rewrites_documents_that_predate_the_stored_lifecycle_and_they_come_back_as_the_events_make_them()
    {
        Assert.Equal(0, (await Tool("setup", "--demo")).Exit);
        var rebuilt = await Tool("rebuild");
        Assert.True(rebuilt.Exit == 0, rebuilt.Error);
        Assert.Contains("rebuilt records: 20 commitment records", rebuilt.Output);
        var records = await DocumentsAsync("mt_doc_commitmentrecord");
        var standings = await DocumentsAsync("mt_doc_commitmentstanding");
        Assert.Equal(20, records.Count);
        Assert.Equal(20, standings.Count);

        // As an earlier version left them: no lifecycle in either document.
        await TestDatabase.ExecuteAsync($"update \"{_schema}\".mt_doc_commitmentrecord set data = data - 'lifecycle'");
        await TestDatabase.ExecuteAsync($"update \"{_schema}\".mt_doc_commitmentstanding set data = data - 'lifecycle'");

        var (exit, output, error) = await Tool("setup");

        Assert.True(exit == 0, error);
        Assert.Contains("20 commitment records and 20 supervision standings are of an older shape", output);
        Assert.Equal(records, await DocumentsAsync("mt_doc_commitmentrecord"));
        Assert.Equal(standings, await DocumentsAsync("mt_doc_commitmentstanding"));

        var again = await Tool("setup");
        Assert.DoesNotContain("older shape", again.Output);
    }

    [Fact]
    public async Task Setup_rewrites_records_that_held_every_report_and_writes_each_report_as_a_document_of_its_own()
    {
        Assert.Equal(0, (await Tool("setup", "--demo")).Exit);
        var records = await DocumentsAsync("mt_doc_commitmentrecord");
        var reports = await DocumentsAsync("mt_doc_progressreportrecord");
        Assert.True(reports.Count > 20, $"the pilot scenario has {reports.Count} reports");

        // As the previous shape left them: every report in the record, no count, no report documents.
        await TestDatabase.ExecuteAsync($"""
            update "{_schema}".mt_doc_commitmentrecord set data = (data - 'reportCount' - 'recentReports') || jsonb_build_object('reports', data->'recentReports', 'history', jsonb_build_object());
            delete from "{_schema}".mt_doc_progressreportrecord;
            """);

        var (exit, output, error) = await Tool("setup");

        Assert.True(exit == 0, error);
        Assert.Contains("20 commitment records and 0 supervision standings are of an older shape", output);
        Assert.Equal(records, await DocumentsAsync("mt_doc_commitmentrecord"));
        Assert.Equal(reports, await DocumentsAsync("mt_doc_progressreportrecord"));
    }

    [Fact]
    public async Task Setup_rewrites_records_that_held_every_act_and_writes_each_act_as_a_document_of_its_own()
    {
        Assert.Equal(0, (await Tool("setup", "--demo")).Exit);
        var records = await DocumentsAsync("mt_doc_commitmentrecord");
        var acts = await DocumentsAsync("mt_doc_commitmentactrecord");
        Assert.True(acts.Count > 20, $"the pilot scenario has {acts.Count} acts");

        // As the previous shape left them: every act in the record under its own list, no counts, no act documents.
        await TestDatabase.ExecuteAsync($"""
            update "{_schema}".mt_doc_commitmentrecord set data = (data - 'evidenceCount' - 'recentEvidence' - 'claimCount' - 'recentClaims')
                || jsonb_build_object('evidence', data->'recentEvidence', 'claims', data->'recentClaims');
            delete from "{_schema}".mt_doc_commitmentactrecord;
            """);

        var (exit, output, error) = await Tool("setup");

        Assert.True(exit == 0, error);
        Assert.Contains("20 commitment records and 0 supervision standings are of an older shape", output);
        Assert.Equal(records, await DocumentsAsync("mt_doc_commitmentrecord"));
        Assert.Equal(acts, await DocumentsAsync("mt_doc_commitmentactrecord"));
    }

    [Fact]
    public async Task Setup_fills_the_sort_columns_of_views_written_before_them_and_every_view_sorts_as_it_did()
    {
        Assert.Equal(0, (await Tool("setup", "--demo")).Exit);
        Assert.Equal(0, (await Tool("rebuild", SupervisionProjection.Name)).Exit);

        // As the previous version left the views: no column for the keys it sorted by from the JSON, and
        // the other sort keys' indexes on their column alone.
        await TestDatabase.ExecuteAsync($"""
            set search_path to "{_schema}";
            alter table mt_doc_commitmentstanding drop column progress, drop column open_rectifications;
            alter table mt_doc_governmentcompliance drop column on_time_rate, drop column open_rectifications;
            alter table mt_doc_agreementprogress drop column overdue_items;
            alter table mt_doc_areasummary drop column progress, drop column overdue_items;
            alter table mt_doc_scorecard drop column total;
            {OldIndex("mt_doc_commitmentstanding", "deadline")} {OldIndex("mt_doc_commitmentstanding", "overdue_since")}
            {OldIndex("mt_doc_governmentcompliance", "overdue_items")} {OldIndex("mt_doc_agreementprogress", "progress")}
            {OldIndex("mt_doc_overdueitem", "due_on")} {OldIndex("mt_doc_overdueitem", "commitment_id")}
            {OldIndex("mt_doc_rectificationtrack", "due_on")} {OldIndex("mt_doc_rectificationtrack", "ordered_at")}
            {OldIndex("mt_doc_scorecard", "government_id")} {OldIndex("mt_doc_scorecard", "rank")}
            {OldIndex("mt_doc_trendpoint", "scope")}
            """);

        await using var store = LedgerStore.Create(TestDatabase.ConnectionString, _schema, TimeProvider.System);
        await Assert.ThrowsAnyAsync<Exception>(() => store.Storage.Database.AssertDatabaseMatchesConfigurationAsync());

        var (exit, output, error) = await Tool("setup");
        Assert.True(exit == 0, error);
        Assert.DoesNotContain("older shape", output); // filled by the schema's migration, not by a rebuild

        // Every row's new columns hold what its document holds.
        foreach (var (table, column, json) in new[]
        {
            ("mt_doc_commitmentstanding", "progress", "(data->>'progress')::numeric"),
            ("mt_doc_commitmentstanding", "open_rectifications", "(data->>'openRectifications')::int"),
            ("mt_doc_governmentcompliance", "on_time_rate", "(data->>'onTimeRate')::numeric"),
            ("mt_doc_governmentcompliance", "open_rectifications", "(data->>'openRectifications')::int"),
            ("mt_doc_agreementprogress", "overdue_items", "(data->>'overdueItems')::int"),
            ("mt_doc_areasummary", "progress", "(data->>'progress')::numeric"),
            ("mt_doc_areasummary", "overdue_items", "(data->>'overdueItems')::int"),
            ("mt_doc_scorecard", "total", "(data->>'total')::numeric"),
        })
        {
            Assert.True(await TestDatabase.ScalarAsync<long>($"select count(*) from \"{_schema}\".{table}") > 0, $"{table} is empty");
            Assert.Equal(0, await TestDatabase.ScalarAsync<long>($"select count(*) from \"{_schema}\".{table} where {column} is distinct from {json}"));
        }

        // The schema is now exactly as configured (the next setup changes nothing, rebuilds no index),
        // and every sort of every view walks its rows in the order the JSON gave.
        await store.Storage.Database.AssertDatabaseMatchesConfigurationAsync();
        await using var session = store.QuerySession();
        foreach (var sort in CommitmentStandingQuery.Sorts) await AssertWalkAsync("commitments", sort.Name, r => CommitmentStandingQuery.Check(r).PageAsync(session, default), x => x.Id);
        foreach (var sort in GovernmentComplianceQuery.Sorts) await AssertWalkAsync("governments", sort.Name, r => GovernmentComplianceQuery.Check(r).PageAsync(session, default), x => x.Id);
        foreach (var sort in AgreementProgressQuery.Sorts) await AssertWalkAsync("agreements", sort.Name, r => AgreementProgressQuery.Check(r).PageAsync(session, default), x => x.Id);
        foreach (var sort in AreaSummaryQuery.Sorts) await AssertWalkAsync("areas", sort.Name, r => AreaSummaryQuery.Check(r).PageAsync(session, default), x => x.Id);
        foreach (var sort in OverdueItemQuery.Sorts) await AssertWalkAsync("overdue", sort.Name, r => OverdueItemQuery.Check(r).PageAsync(session, default), x => x.Id);
        foreach (var sort in RectificationTrackQuery.Sorts) await AssertWalkAsync("rectifications", sort.Name, r => RectificationTrackQuery.Check(r).PageAsync(session, default), x => x.Id);
        foreach (var sort in ScorecardQuery.Sorts) await AssertWalkAsync("scorecards", sort.Name, r => ScorecardQuery.Check(r).PageAsync(session, default), x => x.Id);
    }

    /// <summary>Puts an index back as the previous version had it: on its column alone.</summary>
    private static string OldIndex(string table, string column) =>
        $"drop index {table}_idx_{column}; create index {table}_idx_{column} on {table} ({column});";

    /// <summary>Walks a view by <paramref name="sort"/> both ways, two rows a page, and compares the ids with the JSON's order.</summary>
    private async Task AssertWalkAsync<T>(string view, string sort, Func<ViewRequest, Task<ViewPage<T>>> page, Func<T, string> id)
    {
        var (table, _, _) = SupervisionSortIndexTests.Views[view];
        foreach (var direction in new[] { "asc", "desc" })
        {
            var walked = new List<string>();
            string? cursor = null;
            do
            {
                var next = await page(new ViewRequest(new Dictionary<string, string>(), direction == "asc" ? sort : "-" + sort, cursor, "2"));
                walked.AddRange(next.Items.Select(id));
                cursor = next.Next;
            }
            while (cursor is not null);
            var before = await SupervisionSortIndexTests.IdsAsync(
                $"select id from \"{_schema}\".{table} order by {SupervisionSortIndexTests.SortedBefore[$"{view}/{sort}"]} {direction}, id {direction}");
            Assert.True(before.SequenceEqual(walked), $"{view}?sort={(direction == "asc" ? "" : "-")}{sort}: {string.Join(", ", walked)} instead of {string.Join(", ", before)}");
        }
    }

    [Fact]
    public async Task Rebuild_names_what_it_can_rebuild_when_asked_for_something_else()
    {
        var (exit, _, error) = await Tool("rebuild", "nonsense");

        Assert.Equal(2, exit);
        Assert.Contains("unknown projection 'nonsense'; known: records, ", error);
    }

    private Task<(int Exit, string Output, string Error)> Tool(params string[] args) => LedgerTool.RunAsync(_schema, args);

    private async Task<SortedDictionary<string, string>> DocumentsAsync(string table)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"select id, data::text from \"{_schema}\".{table}", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var documents = new SortedDictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync()) documents[reader.GetString(0)] = reader.GetString(1);
        return documents;
    }
}
