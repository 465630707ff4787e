using System.Globalization;
using System.Text.Json.Nodes;
using Ledger.Api.Tests.Support;
using Ledger.Infrastructure.Audit;
using Ledger.Infrastructure.Daemon;
using Ledger.Infrastructure.Integrity;
using Ledger.Integrity.Checkpoints;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Api.Tests;

/// <summary>
/// <c>ledger import</c>, the bulk path: the scenario ledger exported whole is imported into an empty
/// one with its histories, envelopes, times and records intact; the Merkle log and the supervisors'
/// views take it up (the same compliance view as the source's); a refused file names its line, exits 2
/// and writes nothing — a bad field, a reference to a stream that is neither in the ledger nor earlier
/// in the file, or a fault on the last of thousands of lines.
/// </summary>
[Collection(AuditCliCollection.Name)]
public sealed class ImportTests(AuditExportTests.ExportFixture fixture) : IClassFixture<AuditExportTests.ExportFixture>, IAsyncLifetime
{
    private const string Corridor = "a03-suichuan-guidong-corridor";
    private readonly LedgerHost _target = new();

    public Task InitializeAsync() => _target.InitializeAsync();

    public Task DisposeAsync() => _target.StopAsync();

    [Fact]
    public async Task A_ledger_exported_whole_imports_into_an_empty_one_with_its_histories_records_and_views()
    {
        var events = await ExportedLedgerAsync();

        var (exit, output, error) = await ImportAsync(events);

        Assert.True(exit == 0, error);
        var lines = (await File.ReadAllLinesAsync(events)).Length;
        Assert.Contains($"imported {lines} events in ", output);
        var source = fixture.Host.Client("auditor");
        var target = _target.Client("auditor");
        // Every record (commitment, government, agreement) is rebuilt from the same events by the same
        // projection the store runs inline.
        var streams = (await File.ReadAllLinesAsync(events))
            .Select(line => JsonNode.Parse(line)!["stream"]!.GetValue<string>())
            .Where(stream => !stream.StartsWith("evaluation/", StringComparison.Ordinal))
            .Distinct().ToList();
        Assert.Contains($"commitment/{Corridor}", streams);
        foreach (var stream in streams)
        {
            var path = "/api/" + stream.Replace("/", "s/", StringComparison.Ordinal);
            var expected = JsonNode.Parse(await source.GetStringAsync(path));
            var actual = JsonNode.Parse(await target.GetStringAsync(path));
            Assert.True(JsonNode.DeepEquals(expected, actual), $"{path}: expected {expected}\nactual {actual}");
        }
        // Each commitment's report documents, which the import writes by COPY: row for row what the
        // projection the store runs inline writes, the columns Marten keeps beside the document included,
        // but for its count of writes (mt_version): the import writes each report once, where the store
        // wrote it at the report and again at each correction.
        var reportRows = "select string_agg(concat_ws(' | ', id, data::text, mt_dotnet_type, commitment_id, stream_version, period), E'\\n' order by id) from \"{0}\".mt_doc_progressreportrecord";
        var sourceReports = await TestDatabase.ScalarAsync<string>(string.Format(CultureInfo.InvariantCulture, reportRows, fixture.Host.Schema));
        Assert.Contains(Corridor, sourceReports);
        Assert.Equal(sourceReports, await TestDatabase.ScalarAsync<string>(string.Format(CultureInfo.InvariantCulture, reportRows, _target.Schema)));
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>($"select max(mt_version) from \"{_target.Schema}\".mt_doc_progressreportrecord"));
        // And so its act documents (evidence, claims, assessments, orders, escalations) with theirs.
        var actRows = "select string_agg(concat_ws(' | ', id, data::text, mt_dotnet_type, commitment_id, kind, stream_version, open), E'\\n' order by id) from \"{0}\".mt_doc_commitmentactrecord";
        var sourceActs = await TestDatabase.ScalarAsync<string>(string.Format(CultureInfo.InvariantCulture, actRows, fixture.Host.Schema));
        Assert.Contains("/rectification/", sourceActs);
        Assert.Contains("/evidence/", sourceActs);
        Assert.Equal(sourceActs, await TestDatabase.ScalarAsync<string>(string.Format(CultureInfo.InvariantCulture, actRows, _target.Schema)));
        // Every envelope is as it was, but for the global sequence numbers (the new ledger's own) and the
        // idempotency keys (a request's, not part of the leaf a bundle holds).
        var before = JsonNode.Parse(await source.GetStringAsync($"/api/commitments/{Corridor}/events"))!.AsArray();
        var after = JsonNode.Parse(await target.GetStringAsync($"/api/commitments/{Corridor}/events"))!.AsArray();
        Assert.Equal(before.Count, after.Count);
        for (var i = 0; i < before.Count; i++)
        {
            foreach (var name in new[] { "sequence", "idempotencyKey" })
            {
                before[i]!.AsObject().Remove(name);
                after[i]!.AsObject().Remove(name);
            }
            Assert.True(JsonNode.DeepEquals(before[i], after[i]), $"event {i + 1}: expected {before[i]}\nactual {after[i]}");
        }
        // The Merkle worker integrates the imported events like any append, and the supervisors' views
        // (the daemon on the target's node) take them up: the same compliance view as the source's.
        await WaitForAsync(async () => await CountAsync("ledger_merkle_leaves") == lines);
        var governments = "/api/supervision/governments?limit=200";
        await WaitForAsync(async () => (long?)JsonNode.Parse(await _target.Client("supervisor").GetStringAsync(governments))!["freshness"]!["eventsBehind"] == 0);
        var sourceView = JsonNode.Parse(await fixture.Host.Client("supervisor").GetStringAsync(governments))!["items"];
        var targetView = JsonNode.Parse(await _target.Client("supervisor").GetStringAsync(governments))!["items"];
        Assert.True(JsonNode.DeepEquals(sourceView, targetView), $"expected {sourceView}\nactual {targetView}");
        // The sequence every append draws from moved past what the import wrote.
        Assert.True(await TestDatabase.ScalarAsync<bool>(
            $"select (select last_value from \"{_target.Schema}\".mt_events_sequence) >= (select max(seq_id) from \"{_target.Schema}\".mt_events)"));

        // The same file again: the streams exist, nothing is added.
        var again = await ImportAsync(events);
        Assert.Equal(2, again.Exit);
        Assert.Contains("the ledger already holds ", again.Error);
        Assert.Equal(lines, await CountAsync("mt_events"));

        // A report the import wrote by COPY takes a correction as any other: the store's own write replaces it.
        var lead = (string)JsonNode.Parse(await target.GetStringAsync($"/api/commitments/{Corridor}"))!["leadGovernmentId"]!;
        var latest = JsonNode.Parse(await target.GetStringAsync($"/api/commitments/{Corridor}/reports?sort=-version&limit=1"))!["items"]![0]!;
        var reportId = (string)latest["reportId"]!;
        var corrected = await _target.Client("government", lead).PostJsonAsync($"/api/commitments/{Corridor}/corrections", new
        {
            correctionId = "after-import",
            correctsReportId = reportId,
            values = new[] { new { indicatorId = (string)latest["values"]![0]!["indicatorId"]!, value = 1m } },
            reason = "Corrected in the ledger it was imported into.",
        });
        Assert.Equal(System.Net.HttpStatusCode.Created, corrected.StatusCode);
        var report = JsonNode.Parse(await target.GetStringAsync($"/api/commitments/{Corridor}/reports/{reportId}"))!;
        Assert.Contains("after-import", report["corrections"]!.AsArray().Select(c => (string?)c!["correctionId"]));
    }

    [Fact]
    public async Task A_ledger_holding_evidence_in_both_shapes_replays_verifies_and_exports_whole()
    {
        // The scenario's ledger, its first evidence event as an earlier version stored it: under the
        // retired name evidence_attached.v1, with no media type or size.
        var lines = await File.ReadAllLinesAsync(await ExportedLedgerAsync());
        var first = Array.FindIndex(lines, l => (string?)JsonNode.Parse(l)!["type"] == "evidence_attached.v2");
        var old = JsonNode.Parse(lines[first])!.AsObject();
        old["type"] = "evidence_attached.v1";
        old["data"]!.AsObject().Remove("mediaType");
        old["data"]!.AsObject().Remove("length");
        lines[first] = old.ToJsonString();
        Assert.Contains(lines, l => l.Contains("\"type\":\"evidence_attached.v2\"", StringComparison.Ordinal));
        var file = NewFile();
        await File.WriteAllLinesAsync(file, lines);

        var (exit, _, error) = await ImportAsync(file);
        Assert.True(exit == 0, error);

        // Stored as written, under its own name and bytes.
        var evidenceId = (string)old["data"]!["evidenceId"]!;
        Assert.Equal("evidence_attached.v1", await TestDatabase.ScalarAsync<string>(
            $"select type from \"{_target.Schema}\".mt_events where data->>'evidenceId' = '{evidenceId}'"));
        Assert.False(await TestDatabase.ScalarAsync<bool>(
            $"select data ? 'mediaType' from \"{_target.Schema}\".mt_events where data->>'evidenceId' = '{evidenceId}'"));
        // Read as the current shape: the stream's history and the record hold it, with nothing known of the file.
        var stream = (string)old["stream"]!;
        var target = _target.Client("auditor");
        var history = JsonNode.Parse(await target.GetStringAsync("/api/" + stream.Replace("/", "s/", StringComparison.Ordinal) + "/events"))!.AsArray();
        var replayed = Assert.Single(history, e => (string?)e!["data"]!["evidenceId"] == evidenceId)!;
        Assert.True(replayed["data"]!.AsObject().TryGetPropertyValue("mediaType", out var mediaType) && mediaType is null, replayed.ToJsonString());
        Assert.Equal("evidence_attached.v1", (string?)replayed["type"]);
        var recordPath = "/api/" + stream.Replace("/", "s/", StringComparison.Ordinal);
        var record = JsonNode.Parse(await target.GetStringAsync(recordPath))!;
        var evidence = JsonNode.Parse(await target.GetStringAsync(recordPath + "/evidence?limit=200"))!;
        Assert.Contains(evidence["items"]!.AsArray(), e => (string?)e!["evidenceId"] == evidenceId && e["mediaType"] is null);
        // Folded again by the store itself (Marten reading the stream), the record is the same.
        var rebuilt = await CliAsync(_target.Schema, "rebuild", "records");
        Assert.True(rebuilt.Exit == 0, rebuilt.Error);
        Assert.True(JsonNode.DeepEquals(record, JsonNode.Parse(await target.GetStringAsync(recordPath))), "the record rebuilt by the store differs");
        // The views fold both shapes.
        await _target.Services.GetRequiredService<ProjectionFreshness>().WaitUntilCurrentAsync(TimeSpan.FromSeconds(90));

        // Leaves are the stored bytes: the log verifies, and a bundle of the whole ledger verifies with
        // commitments.csv folded again from its leaves, the retired shape included.
        var count = lines.Length;
        await WaitForAsync(async () => await TestDatabase.ScalarAsync<long>($"select coalesce(max(tree_size), 0) from \"{_target.Schema}\".ledger_merkle_state") == count);
        Assert.Equal(0, (await CliAsync(_target.Schema, "checkpoint")).Exit);
        var verified = await CliAsync(_target.Schema, "verify");
        Assert.True(verified.Exit == 0, verified.Output + verified.Error);
        var dir = fixture.NewTarget();
        var exported = await CliAsync(_target.Schema, "export", "--all", "--out", dir);
        Assert.True(exported.Exit == 0, exported.Error);
        var bundle = await CliAsync(_target.Schema, "export", "verify", dir, "--key", CheckpointKeys.VerifierKeyOf(fixture.Seed, IntegritySettings.DefaultOrigin));
        Assert.True(bundle.Exit == 0, bundle.Output + bundle.Error);
        Assert.Contains("commitments.csv", bundle.Output);
    }

    [Fact]
    public async Task Accounts_in_the_file_are_left_out_and_said_so_and_the_rest_is_imported()
    {
        // A whole ledger's export holds its accounts' lives; their passwords live beside that ledger only.
        var whole = await ExportedLedgerAsync();
        var lines = (await File.ReadAllLinesAsync(whole)).ToList();
        var account = JsonNode.Parse(lines[0])!.AsObject();
        account["stream"] = "account/clerk";
        account["type"] = "account_created.v1";
        account["version"] = 1;
        account["data"] = JsonNode.Parse("""{"accountId":"clerk","role":"Auditor","governmentId":null}""");
        var granted = account.DeepClone().AsObject();
        granted["type"] = "account_role_granted.v1";
        granted["version"] = 2;
        var file = NewFile();
        await File.WriteAllLinesAsync(file, [account.ToJsonString(), .. lines, granted.ToJsonString()]);

        var (exit, output, error) = await ImportAsync(file);

        Assert.True(exit == 0, error);
        Assert.Contains($"imported {lines.Count} events in ", output);
        Assert.Contains("left out 2 events of accounts", output);
        Assert.Equal(lines.Count, await CountAsync("mt_events"));
        Assert.Equal(0, await TestDatabase.ScalarAsync<long>($"select count(*) from \"{_target.Schema}\".mt_streams where id like 'account/%'"));
    }

    [Fact]
    public async Task What_an_event_refers_to_must_be_in_the_ledger_or_earlier_in_the_file()
    {
        // The corridor alone: its registration names an agreement and a government the empty ledger lacks.
        var corridor = await ExportedCommitmentAsync();
        var (exit, _, error) = await ImportAsync(corridor);
        Assert.Equal(2, exit);
        Assert.Contains($"{corridor}:1: refers to agreement/xgb-2021-a03, which is neither in the ledger nor earlier in the file", error);

        // The whole ledger with the corridor's registration moved first: its agreement comes later.
        var whole = await ExportedLedgerAsync();
        var lines = (await File.ReadAllLinesAsync(whole)).ToList();
        var registration = lines.FindIndex(l => l.Contains("\"commitment_registered.v1\"") && l.Contains(Corridor));
        lines.Insert(0, lines[registration]);
        lines.RemoveAt(registration + 1);
        await File.WriteAllLinesAsync(whole, lines);
        (exit, _, error) = await ImportAsync(whole);
        Assert.Equal(2, exit);
        Assert.Contains($"{whole}:1: refers to agreement/xgb-2021-a03, which comes later in the file", error);

        // An event whose commitment id is not its stream's.
        var renamed = JsonNode.Parse(lines[0])!.AsObject();
        renamed["data"]!["commitmentId"] = "another-commitment";
        lines[0] = renamed.ToJsonString();
        await File.WriteAllLinesAsync(whole, lines);
        (exit, _, error) = await ImportAsync(whole);
        Assert.Equal(2, exit);
        Assert.Contains($"{whole}:1: CommitmentId names commitment/another-commitment, but the event is in commitment/{Corridor}", error);
        Assert.Equal(0, await CountAsync("mt_events"));
    }

    [Fact]
    public async Task Of_several_missing_references_the_first_line_is_named()
    {
        // A government, then eleven commitments it leads under agreements no ledger holds: lines 2 to 12
        // all refer to something missing, and line 2 is the first (not line 10, which sorts before it as text).
        var lines = await File.ReadAllLinesAsync(await ExportedLedgerAsync());
        var government = JsonNode.Parse(lines.First(l => l.Contains("\"government_registered.v1\"")))!.AsObject();
        var governmentId = government["data"]!["governmentId"]!.GetValue<string>();
        var registration = lines.First(l => l.Contains("\"commitment_registered.v1\"") && l.Contains(Corridor));
        List<string> file = [government.ToJsonString()];
        for (var n = 2; n <= 12; n++)
        {
            var commitment = JsonNode.Parse(registration)!.AsObject();
            commitment["stream"] = $"commitment/c-{n}";
            commitment["data"]!["commitmentId"] = $"c-{n}";
            commitment["data"]!["agreementId"] = $"missing-{n}";
            commitment["data"]!["leadGovernmentId"] = governmentId;
            file.Add(commitment.ToJsonString());
        }
        var path = NewFile();
        await File.WriteAllLinesAsync(path, file);

        var (exit, _, error) = await ImportAsync(path);

        Assert.True(exit == 2, error);
        Assert.Contains($"{path}:2: refers to agreement/missing-2, which is neither in the ledger nor earlier in the file", error);
        Assert.Equal(0, await CountAsync("mt_events"));
    }

    [Theory]
    [InlineData("type", "\"no_such_event.v1\"", "unknown event type 'no_such_event.v1'")]
    [InlineData("stream", "\"ledger/other\"", "stream 'ledger/other' is not one of the ledger's kinds")]
    [InlineData("timestamp", "\"2023-06-20T10:00:00\"", "is not an ISO 8601 time with its offset")]
    [InlineData("actor", "{\"id\":\"x\",\"role\":\"mayor\"}", "actor.role 'mayor' is not one of")]
    [InlineData("actor", "{\"id\":\"government:360827\",\"role\":\"government\"}", "actor.government is required")]
    [InlineData("data", "{\"commitmentId\":\"x\"}", "data does not read as")]
    [InlineData("version", "7", "version 7 of ")]
    public async Task A_file_with_bad_lines_is_refused_with_the_first_of_them_and_nothing_is_written(string field, string json, string message)
    {
        var events = await ExportedLedgerAsync();
        var lines = (await File.ReadAllLinesAsync(events)).ToList();
        var node = JsonNode.Parse(lines[2])!.AsObject();
        node[field] = JsonNode.Parse(json);
        lines[2] = node.ToJsonString();
        // A later line is broken too (lines are parsed in blocks, on every core): the first is named.
        lines[^1] = "{ not json";
        await File.WriteAllLinesAsync(events, lines);

        var (exit, _, error) = await ImportAsync(events);

        Assert.Equal(2, exit);
        Assert.Contains($"{events}:3: ", error);
        Assert.Contains(message, error);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Equal(0, await CountAsync("mt_events"));
    }

    [Fact]
    public async Task A_fault_on_the_last_of_thousands_of_lines_leaves_the_ledger_untouched()
    {
        var corridor = (await File.ReadAllLinesAsync(await ExportedLedgerAsync()))
            .Where(l => l.Contains($"\"stream\":\"commitment/{Corridor}\"")).ToList();
        // The whole ledger, then copies of the corridor under new ids (their agreement and governments
        // are in it): thousands of lines, the last one broken.
        var lines = (await File.ReadAllLinesAsync(await ExportedLedgerAsync())).ToList();
        for (var copy = 0; lines.Count <= 6_000; copy++)
        {
            foreach (var line in corridor)
            {
                var node = JsonNode.Parse(line)!.AsObject();
                node["stream"] = $"commitment/copy-{copy:D3}";
                node["data"]!["commitmentId"] = $"copy-{copy:D3}";
                lines.Add(node.ToJsonString());
            }
        }
        lines.Add("{\"stream\": \"commitment/copy-000\", \"type\": ");
        var path = NewFile();
        await File.WriteAllLinesAsync(path, lines);

        var (exit, _, error) = await ImportAsync(path);

        Assert.Equal(2, exit);
        Assert.Contains($"{path}:{lines.Count}: not a JSON object", error);
        Assert.Equal(0, await CountAsync("mt_events"));
        Assert.Equal(0, await CountAsync("mt_streams"));

        // Without the broken line the same file goes in whole.
        await File.WriteAllLinesAsync(path, lines[..^1]);
        Assert.Equal(0, (await ImportAsync(path)).Exit);
        Assert.Equal(lines.Count - 1, await CountAsync("mt_events"));
    }

    /// <summary>The corridor's events.jsonl from a fresh bundle of the scenario ledger.</summary>
    private async Task<string> ExportedCommitmentAsync()
    {
        var dir = fixture.NewTarget();
        var (exit, _, error) = await CliAsync(fixture.Host.Schema, "export", "--commitment", Corridor, "--out", dir);
        Assert.True(exit == 0, error);
        return Path.Combine(dir, AuditBundle.Events);
    }

    /// <summary>The whole scenario ledger's events.jsonl, every event covered by a checkpoint signed after it was integrated.</summary>
    private async Task<string> ExportedLedgerAsync()
    {
        var schema = fixture.Host.Schema;
        var count = await TestDatabase.ScalarAsync<long>($"select count(*) from \"{schema}\".mt_events");
        await WaitForAsync(async () => await TestDatabase.ScalarAsync<long>($"select coalesce(max(tree_size), 0) from \"{schema}\".ledger_merkle_state") == count);
        Assert.Equal(0, (await CliAsync(schema, "checkpoint")).Exit);
        var dir = fixture.NewTarget();
        var (exit, _, error) = await CliAsync(schema, "export", "--all", "--out", dir);
        Assert.True(exit == 0, error);
        var events = Path.Combine(dir, AuditBundle.Events);
        Assert.Equal(count, (await File.ReadAllLinesAsync(events)).Length);
        return events;
    }

    /// <summary>A file of its own under the fixture's folder, which goes with the fixture.</summary>
    private string NewFile() => Path.Combine(Directory.CreateDirectory(fixture.NewTarget()).FullName, "events.jsonl");

    private Task<(int Exit, string Output, string Error)> ImportAsync(string path) => CliAsync(_target.Schema, "import", path);

    private static Task<(int Exit, string Output, string Error)> CliAsync(string schema, params string[] args) => LedgerTool.RunAsync(schema, args);

    private Task<long> CountAsync(string table) => TestDatabase.ScalarAsync<long>($"select count(*) from \"{_target.Schema}\".{table}");

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
