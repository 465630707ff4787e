using Ledger.Api.Tests.Support;
using Npgsql;

namespace Ledger.Api.Tests;

/// <summary>
/// Commitment records and supervision standings of an older shape (before the lifecycle was stored in
/// them, or before reports were documents of their own) are rewritten from the events by <c>setup</c>
/// (which <c>up</c> runs), and <c>rebuild records</c> rewrites every record: each comes back exactly as
/// the events make it.
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
