using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ledger.Api.Tests.Support;
using Ledger.Cli.Scenario;
using Ledger.Infrastructure.Audit;
using Ledger.Infrastructure.Daemon;
using Ledger.Infrastructure.Integrity;
using Ledger.Integrity.Checkpoints;
using Ledger.Integrity.Merkle;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Api.Tests;

/// <summary>
/// The command-line tool reads its database, schema, data folder and checkpoint key from the
/// environment, which is process-wide: these tests run alone, never beside other test classes.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AuditCliCollection
{
    public const string Name = "audit-cli";
}

/// <summary>
/// An auditor exports a government's history as a bundle with <c>ledger export</c> and checks it
/// offline with <c>ledger export verify</c>; tampering with any file, removing one, or forging an
/// event is caught, and a bundle is never written over something else.
/// </summary>
[Collection(AuditCliCollection.Name)]
public sealed class AuditExportTests(AuditExportTests.ExportFixture fixture) : IClassFixture<AuditExportTests.ExportFixture>
{
    private const string Suichuan = "360827";

    [Fact]
    public async Task A_government_bundle_holds_its_stream_and_its_commitments_and_verifies_offline()
    {
        var dir = fixture.NewTarget();

        var (exit, _, error) = await RunAsync("export", "--government", Suichuan, "--out", dir);

        Assert.True(exit == 0, error);
        Assert.Equal([AuditBundle.Checkpoint, AuditBundle.CommitmentsCsv, AuditBundle.ComplianceCsv, AuditBundle.EventsCsv, AuditBundle.Events, AuditBundle.Manifest,
                AuditBundle.ManifestSignature, AuditBundle.Proofs],
            Directory.EnumerateFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(dir, AuditBundle.Manifest)))!;
        var streams = manifest["selection"]!["streams"]!.AsArray().Select(s => (string)s!).ToList();
        Assert.Equal($"government/{Suichuan}", streams[0]);
        Assert.Contains("commitment/a03-suichuan-guidong-corridor", streams); // Suichuan leads it
        Assert.Contains("commitment/a05-emergency-medical-dispatch", streams); // Suichuan contributes to it
        Assert.DoesNotContain("commitment/a01-water-class-iii", streams);
        var inDatabase = await TestDatabase.ScalarAsync<long>(
            $"select count(*) from \"{fixture.Host.Schema}\".mt_events where stream_id in ({string.Join(',', streams.Select(s => $"'{s}'"))})");
        Assert.Equal(inDatabase, (long)manifest["counts"]!["events"]!);
        Assert.Equal(CheckpointKeys.VerifierKeyOf(fixture.Seed, IntegritySettings.DefaultOrigin), (string?)manifest["verifierKey"]);

        // Each line of events.jsonl hashes (with the 0x00 prefix) to the leaf its proof proves.
        var lines = await File.ReadAllLinesAsync(Path.Combine(dir, AuditBundle.Events));
        var proofs = await File.ReadAllLinesAsync(Path.Combine(dir, AuditBundle.Proofs));
        Assert.Equal(inDatabase, lines.Length);
        Assert.Equal(lines.Length, proofs.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            var proof = JsonNode.Parse(proofs[i])!;
            Assert.Equal(Convert.ToBase64String(Rfc9162.LeafHash(Encoding.UTF8.GetBytes(lines[i]))), (string?)proof["leafHash"]);
            Assert.Equal((long)JsonNode.Parse(lines[i])!["sequence"]!, (long)proof["sequence"]!);
        }
        var csv = await File.ReadAllLinesAsync(Path.Combine(dir, AuditBundle.EventsCsv));
        Assert.Equal("sequence,stream,version,type,timestamp,actor_id,actor_role,actor_government", csv[0]);
        Assert.Equal(lines.Length + 1, csv.Length);
        Assert.Contains(csv, l => l.Contains(",commitment/a03-suichuan-guidong-corridor,", StringComparison.Ordinal)
            && l.Contains(",progress_reported.v1,2024-01-12T06:00:00.000000Z,", StringComparison.Ordinal) && l.EndsWith(",government,431027", StringComparison.Ordinal));

        var verified = await VerifyAsync(dir);
        Assert.True(verified.Exit == 0, verified.Error);
        Assert.Contains($"{lines.Length} events", verified.Output);
        var stranger = await RunAsync("export", "verify", dir, "--key", CheckpointKeys.VerifierKeyOf(CheckpointKeys.NewSeed(), IntegritySettings.DefaultOrigin));
        Assert.Equal(1, stranger.Exit);
        Assert.Contains(AuditBundle.Checkpoint, stranger.Error);
    }

    [Fact]
    public async Task A_government_bundle_has_a_row_per_commitment_and_its_compliance_row_checked_by_the_manifest()
    {
        var dir = fixture.NewTarget();
        Assert.Equal(0, (await RunAsync("export", "--government", Suichuan, "--out", dir)).Exit);

        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(dir, AuditBundle.Manifest)))!;
        var commitments = manifest["selection"]!["streams"]!.AsArray().Select(s => (string)s!).Where(s => s.StartsWith("commitment/", StringComparison.Ordinal)).ToList();
        var rows = await File.ReadAllLinesAsync(Path.Combine(dir, AuditBundle.CommitmentsCsv));
        Assert.StartsWith("commitment_id,agreement_id,lead_government_id,", rows[0]);
        Assert.Equal(commitments.Select(c => c["commitment/".Length..]).Order(StringComparer.Ordinal), rows[1..].Select(r => r.Split(',')[0]));
        var corridor = Assert.Single(rows, r => r.StartsWith("a03-suichuan-guidong-corridor,", StringComparison.Ordinal));
        Assert.Contains(",360827,", corridor);
        var compliance = await File.ReadAllLinesAsync(Path.Combine(dir, AuditBundle.ComplianceCsv));
        Assert.StartsWith("government_id,", compliance[0]);
        Assert.All(compliance[1..], r => Assert.StartsWith($"{Suichuan},", r));
        var listed = manifest["files"]!.AsArray().Select(f => (string)f!["name"]!).ToList();
        Assert.Contains(AuditBundle.CommitmentsCsv, listed);
        Assert.Contains(AuditBundle.ComplianceCsv, listed);

        // A changed row is caught by export verify, naming the file.
        await File.AppendAllTextAsync(Path.Combine(dir, AuditBundle.CommitmentsCsv), "forged,row\n");
        var (exit, _, error) = await VerifyAsync(dir);
        Assert.Equal(1, exit);
        Assert.Contains(AuditBundle.CommitmentsCsv, error);
    }

    [Fact]
    public async Task An_auditors_export_is_recorded_in_the_access_log_and_so_is_a_refused_one()
    {
        var dataDirectory = Environment.GetEnvironmentVariable("LEDGER_DATA_DIR")!;
        var token = new Ledger.Infrastructure.Identity.TokenIssuer(
            Ledger.Infrastructure.Identity.TokenSettings.From(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build(), dataDirectory),
            TimeProvider.System).Issue("auditor", null, TimeSpan.FromMinutes(10), subject: "auditor:nao-hunan");
        var dir = fixture.NewTarget();

        var (exit, _, error) = await RunAsync("export", "--government", Suichuan, "--from", "2023-01-01T00:00:00+08:00", "--out", dir, "--token", token);
        Assert.True(exit == 0, error);
        var refused = await RunAsync("export", "--commitment", "no-such-commitment", "--out", fixture.NewTarget(), "--token", token);
        Assert.Equal(1, refused.Exit);
        Assert.Equal(2, (await RunAsync("export", "--all", "--out", fixture.NewTarget(), "--token", "not-a-token")).Exit);

        var table = $"\"{fixture.Host.Schema}\".ledger_access_log";
        var written = await TestDatabase.ScalarAsync<string>(
            $"select concat_ws('|', actor_id, actor_role, coalesce(actor_government, '-'), action, target, array_to_string(subjects, ','), filters->>'scope', filters->>'from', status) from {table} where target = '{dir}'");
        Assert.Equal($"auditor:nao-hunan|auditor|-|ledger export|{dir}|{Suichuan}|government|2023-01-01T00:00:00.0000000+08:00|0", written);
        Assert.Equal(1L, await TestDatabase.ScalarAsync<long>(
            $"select count(*) from {table} where actor_id = 'auditor:nao-hunan' and subjects = array['no-such-commitment'] and status = 1"));
    }

    [Fact]
    public async Task A_time_range_keeps_only_the_events_inside_it()
    {
        var dir = fixture.NewTarget();

        var (exit, _, error) = await RunAsync("export", "--commitment", "a03-suichuan-guidong-corridor", "--from", "2024-01-01T00:00:00+08:00", "--to", "2024-12-31T23:59:59+08:00", "--out", dir);

        Assert.True(exit == 0, error);
        var stamps = (await File.ReadAllLinesAsync(Path.Combine(dir, AuditBundle.Events)))
            .Select(l => DateTimeOffset.Parse((string)JsonNode.Parse(l)!["timestamp"]!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(stamps.Count >= 4, $"{stamps.Count} events");
        Assert.All(stamps, t => Assert.Equal(2024, t.ToOffset(TimeSpan.FromHours(8)).Year));
        Assert.Equal(0, (await VerifyAsync(dir)).Exit);
    }

    [Fact]
    public async Task One_changed_byte_in_the_events_fails_verification_naming_the_file()
    {
        var dir = await ExportedAsync();
        var path = Path.Combine(dir, AuditBundle.Events);
        var bytes = await File.ReadAllBytesAsync(path);
        var at = Array.IndexOf(bytes, (byte)'4'); // a digit inside some event: still JSON, still UTF-8
        bytes[at] = (byte)'5';
        await File.WriteAllBytesAsync(path, bytes);

        var (exit, _, error) = await VerifyAsync(dir);

        Assert.Equal(1, exit);
        Assert.Contains(AuditBundle.Events, error);
    }

    [Fact]
    public async Task A_forged_event_fails_on_its_proof_even_with_a_manifest_rewritten_to_match()
    {
        var dir = await ExportedAsync();
        var path = Path.Combine(dir, AuditBundle.Events);
        var lines = await File.ReadAllLinesAsync(path);
        // The corridor's last government report: claim a supervisor wrote it.
        var at = Array.FindLastIndex(lines, l => l.Contains("\"role\":\"government\"", StringComparison.Ordinal));
        var forged = lines[at].Replace("\"role\":\"government\"", "\"role\":\"supervisor\"", StringComparison.Ordinal);
        Assert.NotEqual(lines[at], forged);
        lines[at] = forged;
        await File.WriteAllTextAsync(path, string.Join('\n', lines) + "\n");
        await RewriteManifestAsync(dir);

        var (exit, _, error) = await VerifyAsync(dir);

        Assert.Equal(1, exit);
        Assert.Contains($"{AuditBundle.Events} line {at + 1}", error);
    }

    [Fact]
    public async Task A_missing_proofs_file_fails_verification_naming_it()
    {
        var dir = await ExportedAsync();
        File.Delete(Path.Combine(dir, AuditBundle.Proofs));

        var (exit, _, error) = await VerifyAsync(dir);

        Assert.Equal(1, exit);
        Assert.Contains(AuditBundle.Proofs, error);
    }

    [Fact]
    public async Task An_extra_file_fails_verification_naming_it()
    {
        var dir = await ExportedAsync();
        await File.WriteAllTextAsync(Path.Combine(dir, "notes.txt"), "added later");

        var (exit, _, error) = await VerifyAsync(dir);

        Assert.Equal(1, exit);
        Assert.Contains("notes.txt", error);
    }

    [Fact]
    public async Task Exporting_into_a_folder_that_is_not_empty_exits_2_and_writes_nothing()
    {
        var dir = fixture.NewTarget();
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "keep.txt"), "mine");
        var siblings = Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(dir)!).Count();

        var (exit, _, error) = await RunAsync("export", "--government", Suichuan, "--out", dir);

        Assert.Equal(2, exit);
        Assert.Contains("not empty", error);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Equal(["keep.txt"], Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName));
        Assert.Equal(siblings, Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(dir)!).Count());
    }

    [Fact]
    public async Task An_empty_folder_is_filled_and_a_bad_selection_exits_2()
    {
        var dir = fixture.NewTarget();
        Directory.CreateDirectory(dir);
        Assert.Equal(0, (await RunAsync("export", "--commitment", "a03-suichuan-guidong-corridor", "--out", dir)).Exit);
        Assert.True(File.Exists(Path.Combine(dir, AuditBundle.Manifest)));

        var everything = fixture.NewTarget();
        Assert.Equal(0, (await RunAsync("export", "--all", "--out", everything)).Exit);
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(everything, AuditBundle.Manifest)))!;
        Assert.Equal(await TestDatabase.ScalarAsync<long>($"select count(*) from \"{fixture.Host.Schema}\".mt_events"), (long)manifest["counts"]!["events"]!);
        Assert.Null(manifest["selection"]!["streams"]);

        Assert.Equal(2, (await RunAsync("export", "--government", Suichuan, "--all", "--out", fixture.NewTarget())).Exit);
        Assert.Equal(2, (await RunAsync("export", "--all", "--from", "soon", "--out", fixture.NewTarget())).Exit);
        var unknown = fixture.NewTarget();
        Assert.Equal(1, (await RunAsync("export", "--commitment", "no-such-commitment", "--out", unknown)).Exit);
        Assert.False(Directory.Exists(unknown));
        Assert.Equal(2, (await VerifyAsync(fixture.NewTarget())).Exit);
    }

    [Fact]
    public async Task A_zipped_bundle_verifies_as_its_folder_does_and_an_archive_that_is_no_bundle_is_refused()
    {
        var dir = fixture.NewTarget();
        Assert.Equal(0, (await RunAsync("export", "--commitment", "a03-suichuan-guidong-corridor", "--out", dir)).Exit);
        var folder = await VerifyAsync(dir);

        // The files at the top of the archive, as the console sends it, or the bundle's folder zipped whole.
        var flat = dir + ".zip";
        ZipFile.CreateFromDirectory(dir, flat);
        var zipped = await VerifyAsync(flat);
        Assert.True(zipped.Exit == 0, zipped.Error);
        Assert.Equal(folder.Output.Replace(dir, "", StringComparison.Ordinal), zipped.Output.Replace(flat, "", StringComparison.Ordinal));
        var whole = dir + "-folder.zip";
        ZipFile.CreateFromDirectory(dir, whole, CompressionLevel.Fastest, includeBaseDirectory: true);
        Assert.Equal(0, (await VerifyAsync(whole)).Exit);

        // A changed file inside is named as in a folder.
        var changed = dir + "-changed.zip";
        File.Copy(flat, changed);
        using (var archive = ZipFile.Open(changed, ZipArchiveMode.Update))
        {
            archive.GetEntry(AuditBundle.EventsCsv)!.Delete();
            var entry = archive.CreateEntry(AuditBundle.EventsCsv);
            await using var writer = new StreamWriter(await entry.OpenAsync());
            await writer.WriteAsync(AuditBundle.EventsCsvHeader);
        }
        var refused = await VerifyAsync(changed);
        Assert.Equal(1, refused.Exit);
        Assert.Contains($"{AuditBundle.EventsCsv} has changed", refused.Error);

        // A path that climbs out of the folder is refused before anything is unpacked.
        var climbing = dir + "-climbing.zip";
        File.Copy(flat, climbing);
        using (var archive = ZipFile.Open(climbing, ZipArchiveMode.Update))
            archive.CreateEntry("../outside.txt");
        var outside = await VerifyAsync(climbing);
        Assert.Equal(1, outside.Exit);
        Assert.Contains("../outside.txt", outside.Error);
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(dir)!, "outside.txt")));

        // A file that is no archive at all cannot be read.
        var text = dir + "-text.zip";
        await File.WriteAllTextAsync(text, "not a zip");
        Assert.Equal(2, (await VerifyAsync(text)).Exit);
    }

    [Fact]
    public async Task A_bundle_cannot_vouch_for_itself_so_verify_without_the_ledgers_key_refuses()
    {
        var dir = await ExportedAsync();

        var (exit, output, error) = await RunAsync("export", "verify", dir);

        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.StartsWith("ledger: a bundle cannot vouch for itself", error, StringComparison.Ordinal);
        Assert.Contains("--key \"$(curl", error);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task A_re_signed_forgery_fails_against_the_ledgers_key_however_consistent_it_is_with_itself()
    {
        var dir = await ExportedAsync();
        using var forger = CheckpointSigner.Generate(IntegritySettings.DefaultOrigin);
        await ForgeAndReSignAsync(dir, forger);

        // The forged bundle holds together under the key its own manifest names...
        var underItsOwnKey = await RunAsync("export", "verify", dir, "--key", forger.VerifierKey);
        Assert.True(underItsOwnKey.Exit == 0, underItsOwnKey.Error);

        // ...so verify never takes that key on the bundle's word, and the ledger's key refuses it.
        var unkeyed = await RunAsync("export", "verify", dir);
        Assert.Equal(1, unkeyed.Exit);
        Assert.StartsWith("ledger: a bundle cannot vouch for itself", unkeyed.Error, StringComparison.Ordinal);
        var (exit, output, error) = await VerifyAsync(dir);
        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.StartsWith($"ledger: INVALID: {AuditBundle.Checkpoint}: the signature does not verify with the key given", error, StringComparison.Ordinal);
        Assert.Contains($"{AuditBundle.Manifest} names another key, {forger.VerifierKey}", error);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task A_bundle_with_an_event_taken_out_fails_naming_the_missing_version_though_counts_and_hashes_are_fixed()
    {
        const string Stream = "commitment/a03-suichuan-guidong-corridor";
        var middle = await ExportedAsync();
        var versions = await TakeOutAsync(middle, Stream, version: 2);
        Assert.True(versions > 2);

        var (exit, _, error) = await VerifyAsync(middle);

        Assert.Equal(1, exit);
        Assert.StartsWith($"ledger: INVALID: {Stream} version 2 is missing", error, StringComparison.Ordinal);

        // The stream's last event taken out: the signed range still names it.
        var last = await ExportedAsync();
        await TakeOutAsync(last, Stream, version: versions);
        var head = await VerifyAsync(last);
        Assert.Equal(1, head.Exit);
        Assert.StartsWith($"ledger: INVALID: {Stream} version {versions} is missing", head.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_edited_csv_re_hashed_in_the_manifest_fails_even_with_the_ledgers_key()
    {
        // events.csv is recomputed from the proved events: the changed row is named.
        var dir = await ExportedAsync();
        var rows = await File.ReadAllLinesAsync(Path.Combine(dir, AuditBundle.EventsCsv));
        var row = Array.FindIndex(rows, 1, r => r.Contains(",government,", StringComparison.Ordinal));
        Assert.True(row > 0);
        rows[row] = rows[row].Replace(",government,", ",supervisor,", StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(dir, AuditBundle.EventsCsv), string.Join('\n', rows) + "\n");
        await RewriteManifestAsync(dir);

        var (exit, _, error) = await VerifyAsync(dir);

        Assert.Equal(1, exit);
        Assert.StartsWith($"ledger: INVALID: {AuditBundle.EventsCsv} row {row} is not the row of event", error, StringComparison.Ordinal);

        // commitments.csv is folded again from the bundle's events: a row edited and re-hashed fails, even with the
        // manifest signed again by the ledger's own key (which an insider holding it could do).
        var commitments = await ExportedAsync();
        var path = Path.Combine(commitments, AuditBundle.CommitmentsCsv);
        var original = await File.ReadAllLinesAsync(path);
        var edit = Array.FindIndex(original, 1, r => r.Contains(",360827,", StringComparison.Ordinal));
        Assert.True(edit > 0);
        original[edit] = original[edit].Replace(",360827,", ",430224,", StringComparison.Ordinal);
        await File.WriteAllTextAsync(path, string.Join('\n', original) + "\n");
        var signed = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(commitments, AuditBundle.Manifest)))!["checkpoint"]!;
        using (var ledgerKey = CheckpointSigner.FromSeed(Convert.FromBase64String(fixture.Seed), IntegritySettings.DefaultOrigin))
            await RewriteManifestAsync(commitments, ledgerKey, (long)signed["treeSize"]!, (string)signed["root"]!);
        var edited = await VerifyAsync(commitments);
        Assert.Equal(1, edited.Exit);
        Assert.StartsWith($"ledger: INVALID: {AuditBundle.CommitmentsCsv} row {edit} is not the record the events give for the commitment", edited.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_manifest_edited_and_re_hashed_without_the_ledgers_key_fails_its_signature()
    {
        var dir = fixture.NewTarget();
        Assert.Equal(0, (await RunAsync("export", "--government", Suichuan, "--out", dir)).Exit);
        var compliance = Path.Combine(dir, AuditBundle.ComplianceCsv);
        var rows = await File.ReadAllLinesAsync(compliance);
        Assert.True(rows.Length > 1);
        var cells = rows[1].Split(',');
        cells[5] = cells[5] == "green" ? "red" : "green"; // rag
        rows[1] = string.Join(',', cells);
        await File.WriteAllTextAsync(compliance, string.Join('\n', rows) + "\n");
        await RewriteManifestAsync(dir);

        var (exit, output, error) = await VerifyAsync(dir);

        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.StartsWith($"ledger: INVALID: {AuditBundle.ManifestSignature}: bad manifest signature", error, StringComparison.Ordinal);

        // Signed again by another key: still not the ledger's signature.
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(dir, AuditBundle.Manifest)))!;
        using var forger = CheckpointSigner.Generate(IntegritySettings.DefaultOrigin);
        await SignManifestAsync(dir, forger, (long)manifest["checkpoint"]!["treeSize"]!, (string)manifest["checkpoint"]!["root"]!);
        var resigned = await VerifyAsync(dir);
        Assert.Equal(1, resigned.Exit);
        Assert.StartsWith($"ledger: INVALID: {AuditBundle.ManifestSignature}: bad manifest signature", resigned.Error, StringComparison.Ordinal);

        // And no signature at all.
        File.Delete(Path.Combine(dir, AuditBundle.ManifestSignature));
        var unsigned = await VerifyAsync(dir);
        Assert.Equal(1, unsigned.Exit);
        Assert.Contains($"{AuditBundle.ManifestSignature} is missing", unsigned.Error);
    }

    [Fact]
    public async Task A_bundle_states_each_streams_versions_and_labels_what_is_proved_and_what_only_signed()
    {
        var whole = fixture.NewTarget();
        Assert.Equal(0, (await RunAsync("export", "--government", Suichuan, "--out", whole)).Exit);
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(whole, AuditBundle.Manifest)))!;
        var held = (await File.ReadAllLinesAsync(Path.Combine(whole, AuditBundle.Events)))
            .Count(l => l.Contains("\"stream\":\"commitment/a03-suichuan-guidong-corridor\"", StringComparison.Ordinal));
        var head = await TestDatabase.ScalarAsync<long>(
            $"select max(version) from \"{fixture.Host.Schema}\".mt_events where stream_id = 'commitment/a03-suichuan-guidong-corridor'");
        var corridor = Assert.Single(manifest["streams"]!.AsArray(), s => (string)s!["stream"]! == "commitment/a03-suichuan-guidong-corridor")!;
        Assert.Equal(1, (long)corridor["first"]!);
        Assert.Equal(held, (long)corridor["last"]!);
        Assert.True(held > 1 && held <= head);
        var basis = manifest["files"]!.AsArray().ToDictionary(f => (string)f!["name"]!, f => (string)f!["basis"]!);
        Assert.Equal(FileBasis.Proved, basis[AuditBundle.Events]);
        Assert.Equal(FileBasis.Recomputed, basis[AuditBundle.EventsCsv]);
        Assert.Equal(FileBasis.Recomputed, basis[AuditBundle.CommitmentsCsv]);
        Assert.Equal(FileBasis.SignedManifest, basis[AuditBundle.ComplianceCsv]);
        var verified = await VerifyAsync(whole);
        Assert.True(verified.Exit == 0, verified.Error);
        Assert.Contains($"{AuditBundle.EventsCsv} and {AuditBundle.CommitmentsCsv} recomputed from them; manifest signed by the ledger", verified.Output);
        Assert.Contains($"; {AuditBundle.ComplianceCsv}: the views' word at export time, covered by the signature, not proved", verified.Output);

        // The rows are the records the events give: the corridor's row ends at the last version the bundle holds.
        var corridorRow = Assert.Single(await File.ReadAllLinesAsync(Path.Combine(whole, AuditBundle.CommitmentsCsv)),
            r => r.StartsWith("a03-suichuan-guidong-corridor,", StringComparison.Ordinal));
        Assert.EndsWith($",{held}", corridorRow, StringComparison.Ordinal);

        // A time window states the versions inside it, and verifies.
        var window = fixture.NewTarget();
        var (exit, _, error) = await RunAsync("export", "--government", Suichuan, "--from", "2024-01-01T00:00:00+08:00", "--to", "2024-12-31T23:59:59+08:00", "--out", window);
        Assert.True(exit == 0, error);
        var ranges = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(window, AuditBundle.Manifest)))!["streams"]!.AsArray();
        Assert.NotEmpty(ranges);
        Assert.Contains(ranges, r => (long)r!["first"]! > 1);
        // Streams that start past their first event cannot be folded: the file is the view's word there, and says so.
        var windowBasis = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(window, AuditBundle.Manifest)))!["files"]!.AsArray()
            .ToDictionary(f => (string)f!["name"]!, f => (string)f!["basis"]!);
        Assert.Equal(FileBasis.SignedManifest, windowBasis[AuditBundle.CommitmentsCsv]);
        var windowed = await VerifyAsync(window);
        Assert.True(windowed.Exit == 0, windowed.Error);
    }

    /// <summary>
    /// Takes one event of <paramref name="stream"/> out of events.jsonl, proofs.jsonl and events.csv and fixes the
    /// manifest's count and hashes, as someone hiding it would; returns how many versions the stream had in the bundle.
    /// </summary>
    private static async Task<long> TakeOutAsync(string dir, string stream, long version)
    {
        var events = (await File.ReadAllLinesAsync(Path.Combine(dir, AuditBundle.Events))).ToList();
        var proofs = (await File.ReadAllLinesAsync(Path.Combine(dir, AuditBundle.Proofs))).ToList();
        var csv = (await File.ReadAllLinesAsync(Path.Combine(dir, AuditBundle.EventsCsv))).ToList();
        var parsed = events.Select(l => JsonNode.Parse(l)!).ToList();
        var index = parsed.FindIndex(e => (string)e["stream"]! == stream && (long)e["version"]! == version);
        Assert.True(index >= 0);
        Assert.StartsWith($"{(long)parsed[index]["sequence"]!},", csv[index + 1], StringComparison.Ordinal);
        events.RemoveAt(index);
        proofs.RemoveAt(index);
        csv.RemoveAt(index + 1);
        await File.WriteAllTextAsync(Path.Combine(dir, AuditBundle.Events), string.Join('\n', events) + "\n");
        await File.WriteAllTextAsync(Path.Combine(dir, AuditBundle.Proofs), string.Join('\n', proofs) + "\n");
        await File.WriteAllTextAsync(Path.Combine(dir, AuditBundle.EventsCsv), string.Join('\n', csv) + "\n");
        var path = Path.Combine(dir, AuditBundle.Manifest);
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(path))!;
        manifest["counts"]!["events"] = events.Count;
        await File.WriteAllTextAsync(path, manifest.ToJsonString());
        await RewriteManifestAsync(dir);
        return parsed.Count(e => (string)e["stream"]! == stream);
    }

    private async Task<string> ExportedAsync()
    {
        var dir = fixture.NewTarget();
        var (exit, _, error) = await RunAsync("export", "--commitment", "a03-suichuan-guidong-corridor", "--out", dir);
        Assert.True(exit == 0, error);
        Assert.Equal(0, (await VerifyAsync(dir)).Exit);
        return dir;
    }

    /// <summary>
    /// Makes the manifest's hashes and sizes those of the files as they now are; with <paramref name="signer"/> it
    /// also signs the new manifest, as a forger with a key of their own can.
    /// </summary>
    private static async Task RewriteManifestAsync(string dir, CheckpointSigner? signer = null, long treeSize = 0, string? root = null)
    {
        var path = Path.Combine(dir, AuditBundle.Manifest);
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(path))!;
        foreach (var file in manifest["files"]!.AsArray())
        {
            var bytes = await File.ReadAllBytesAsync(Path.Combine(dir, (string)file!["name"]!));
            file["sha256"] = Convert.ToHexStringLower(SHA256.HashData(bytes));
            file["size"] = bytes.Length;
        }
        await File.WriteAllTextAsync(path, manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        if (signer is not null) await SignManifestAsync(dir, signer, treeSize, root!);
    }

    /// <summary>
    /// A forger's bundle: one event claimed as a supervisor's, proved in a one-leaf tree of its own,
    /// signed by the forger's key, which the rewritten manifest names; every hash and count matches.
    /// </summary>
    private static async Task ForgeAndReSignAsync(string dir, CheckpointSigner forger)
    {
        var line = (await File.ReadAllLinesAsync(Path.Combine(dir, AuditBundle.Events)))
            .First(l => l.Contains("\"role\":\"government\"", StringComparison.Ordinal))
            .Replace("\"role\":\"government\"", "\"role\":\"supervisor\"", StringComparison.Ordinal);
        var leaf = Rfc9162.LeafHash(Encoding.UTF8.GetBytes(line));
        var proof = JsonNode.Parse((await File.ReadAllLinesAsync(Path.Combine(dir, AuditBundle.Proofs)))[0])!;
        proof["leafIdx"] = 0;
        proof["treeSize"] = 1;
        proof["root"] = Convert.ToBase64String(leaf);
        proof["leafHash"] = Convert.ToBase64String(leaf);
        proof["proof"] = new JsonArray();
        await File.WriteAllTextAsync(Path.Combine(dir, AuditBundle.Events), line + "\n");
        await File.WriteAllTextAsync(Path.Combine(dir, AuditBundle.Proofs), proof.ToJsonString() + "\n");
        await File.WriteAllTextAsync(Path.Combine(dir, AuditBundle.Checkpoint), forger.Sign(new Checkpoint(IntegritySettings.DefaultOrigin, 1, leaf)));

        var forged = JsonNode.Parse(line)!;
        var actor = forged["actor"]!;
        await File.WriteAllTextAsync(Path.Combine(dir, AuditBundle.EventsCsv), AuditBundle.EventsCsvHeader + AuditBundle.EventsCsvLine(
            (long)forged["sequence"]!, (string)forged["stream"]!, (long)forged["version"]!, (string)forged["type"]!, (string)forged["timestamp"]!,
            (string?)actor["id"], (string?)actor["role"], (string?)actor["government"]));
        // The commitments' records folded from the forged events, as the verifier recomputes them.
        var fold = new CommitmentFold();
        fold.Add(Encoding.UTF8.GetBytes(line));
        await File.WriteAllTextAsync(Path.Combine(dir, AuditBundle.CommitmentsCsv), string.Concat(fold.Lines()));

        var path = Path.Combine(dir, AuditBundle.Manifest);
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(path))!;
        manifest["counts"]!["events"] = 1;
        manifest["counts"]!["streams"] = 1;
        manifest["streams"] = new JsonArray(new JsonObject
        {
            ["stream"] = (string)forged["stream"]!, ["first"] = (long)forged["version"]!, ["last"] = (long)forged["version"]!,
        });
        manifest["checkpoint"]!["treeSize"] = 1;
        manifest["checkpoint"]!["root"] = Convert.ToBase64String(leaf);
        manifest["verifierKey"] = forger.VerifierKey;
        await File.WriteAllTextAsync(path, manifest.ToJsonString());
        await RewriteManifestAsync(dir, forger, 1, Convert.ToBase64String(leaf));
    }

    /// <summary>Signs the manifest as it now stands, as the ledger would with its key: only the ledger's key makes it hold.</summary>
    private static async Task SignManifestAsync(string dir, CheckpointSigner signer, long treeSize, string root)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(dir, AuditBundle.Manifest))));
        var text = ManifestSignature.Text(treeSize, root, sha);
        await File.WriteAllTextAsync(Path.Combine(dir, AuditBundle.ManifestSignature), text + "\n" + signer.SignatureLine(text));
    }

    /// <summary>Checks a bundle as an auditor does: against the ledger's own verifier key.</summary>
    private Task<(int Exit, string Output, string Error)> VerifyAsync(string dir) =>
        RunAsync("export", "verify", dir, "--key", CheckpointKeys.VerifierKeyOf(fixture.Seed, IntegritySettings.DefaultOrigin));

    /// <summary>Runs the tool in-process against the fixture's database, capturing what it prints.</summary>
    private static Task<(int Exit, string Output, string Error)> RunAsync(params string[] args) => LedgerTool.RunAsync(null, args);

    /// <summary>A host and the tool sharing one checkpoint key, with the pilot-zone scenario loaded.</summary>
    public sealed class ExportFixture : IAsyncLifetime
    {
        private static readonly string[] Variables = ["ConnectionStrings__Ledger", "Ledger__Schema", "LEDGER_DATA_DIR", "Integrity__SigningKey"];
        private SavedEnvironment _saved = null!;
        private readonly string _root = Directory.CreateTempSubdirectory("ledger-export-").FullName;

        public string Seed { get; } = CheckpointKeys.NewSeed();

        public KeyedHost Host { get; }

        public ExportFixture() => Host = new KeyedHost(Seed);

        /// <summary>A fresh path (not created) for a bundle.</summary>
        public string NewTarget() => Path.Combine(_root, "bundle-" + Guid.NewGuid().ToString("N")[..8]);

        public async Task InitializeAsync()
        {
            await Host.InitializeAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            await new ScenarioLoader(
            [
                $"--ConnectionStrings:Ledger={TestDatabase.ConnectionString}",
                $"--Ledger:Schema={Host.Schema}",
                $"--Auth:SigningKey={Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}",
                $"--Integrity:SigningKey={Seed}",
            ]).LoadAsync(ScenarioFile.Load(Repository.ScenarioPath), ScenarioLayout.ZoneDate(Host.Clock.GetUtcNow()), null, timeout.Token);
            // compliance.csv is the views' word at export time: the bundles' tests read it once the views hold the scenario.
            await Host.Services.GetRequiredService<ProjectionFreshness>().WaitUntilCurrentAsync(TimeSpan.FromSeconds(90));

            _saved = new SavedEnvironment(Variables);
            Environment.SetEnvironmentVariable("ConnectionStrings__Ledger", TestDatabase.ConnectionString);
            Environment.SetEnvironmentVariable("Ledger__Schema", Host.Schema);
            Environment.SetEnvironmentVariable("LEDGER_DATA_DIR", Path.Combine(_root, ".data"));
            Environment.SetEnvironmentVariable("Integrity__SigningKey", Seed);
        }

        public async Task DisposeAsync()
        {
            _saved.Restore();
            await Host.StopAsync();
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>The API host signing checkpoints with a given key, as the tool will.</summary>
    public sealed class KeyedHost(string seed) : LedgerHost
    {
        protected override void Customize(IWebHostBuilder builder) => builder.UseSetting("Integrity:SigningKey", seed);
    }
}
