using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ledger.Infrastructure.Integrity;
using Ledger.Integrity.Checkpoints;
using Ledger.Integrity.Merkle;

namespace Ledger.Infrastructure.Audit;

/// <summary>
/// Checks an audit bundle offline, with nothing but the folder and the verifier key the auditor trusts
/// (the ledger's, from GET /api/integrity/public-key): every file
/// against the manifest (missing, changed or extra files fail), the checkpoint's signature, and
/// for every event line its leaf hash, its proof and the proof's root against the checkpoint; that each
/// stream's versions run whole from the first to the last the manifest states; that <c>events.csv</c> is
/// exactly the one the events give, and so is <c>commitments.csv</c> for a whole-stream bundle (folded again,
/// <see cref="CommitmentFold"/>); and last the manifest's signature by the same key, which alone covers the
/// views' files (<c>compliance.csv</c>, and <c>commitments.csv</c> under a time window: their word at export time).
/// The content is checked before the signature so that a bundle with an event taken out names the
/// missing version, not only the manifest it had to rewrite.
/// The status values are the exit codes of <c>ledger export verify</c>: 0 valid, 1 invalid, 2 unreadable.
/// The key the manifest names is never trusted, only compared with the one given: a forger who
/// rewrites the events can sign a checkpoint of them with a key of their own and name it there.
/// </summary>
public static class AuditBundleVerifier
{
    public sealed record Result(int Status, string Message, long Events = 0);

    /// <summary>Checks the bundle in <paramref name="path"/>: its folder, or the .zip the console downloads (see <see cref="VerifyZipAsync"/>).</summary>
    public static Task<Result> VerifyAsync(string path, string trustedKey, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(trustedKey);
        return VerifyAsync(path, TrustPolicy.ForLogKey(NoteVerifierKey.Parse(trustedKey.Trim())), ct);
    }

    /// <summary>
    /// Checks the bundle under <paramref name="trust"/>: its checkpoint must be signed by one of the policy's
    /// logs and cosigned by the policy's quorum of witnesses.
    /// </summary>
    public static async Task<Result> VerifyAsync(string path, TrustPolicy trust, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(trust);
        if (File.Exists(path)) return await VerifyZipAsync(path, trust, ct);
        if (!Directory.Exists(path)) return new Result(2, $"no bundle folder or .zip at {path}");
        return await VerifyFolderAsync(path, trust, ct);
    }

    /// <summary>
    /// A bundle as one .zip: its files at the top of the archive (as the console writes it), or in one
    /// folder there (as a person zips the bundle's folder). It is unpacked into a folder of its own, checked
    /// exactly as a folder is, and removed. An archive with anything else (a path that climbs out, a
    /// second folder, a nested one) is not a bundle and is refused before anything is written.
    /// </summary>
    public static async Task<Result> VerifyZipAsync(string zip, TrustPolicy trust, CancellationToken ct)
    {
        var unpacked = Directory.CreateTempSubdirectory("ledger-bundle-");
        try
        {
            ZipArchive archive;
            var stream = File.OpenRead(zip);
            try
            {
                archive = await ZipArchive.CreateAsync(stream, ZipArchiveMode.Read, leaveOpen: false, entryNameEncoding: null, ct);
            }
            catch (InvalidDataException ex)
            {
                await stream.DisposeAsync();
                return new Result(2, $"{zip} is not a .zip archive ({ex.Message})");
            }
            await using (archive)
            {
                var files = archive.Entries.Where(e => !e.FullName.EndsWith('/')).ToList();
                // One folder holding every file is the bundle's folder zipped whole; otherwise the files are at the top.
                var top = files.Count > 0 && files[0].FullName.IndexOf('/') is var slash and > 0 ? files[0].FullName[..(slash + 1)] : "";
                if (top.Length > 0 && !files.All(e => e.FullName.StartsWith(top, StringComparison.Ordinal))) top = "";
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var entry in files)
                {
                    var name = entry.FullName[top.Length..];
                    if (name.Length == 0 || name.Contains('/') || name.Contains('\\') || name is "." or ".." || !names.Add(name))
                        return new Result(1, $"{zip} holds {Printable(entry.FullName)}, which is not a file of a bundle's folder");
                }
                // Each entry unpacks to no more than the size it declares (the reader stops there), so the
                // declared sizes bound what unpacking writes: an archive that would fill the disk is refused first.
                var unpackedBytes = files.Sum(e => e.Length);
                var free = new DriveInfo(unpacked.FullName).AvailableFreeSpace;
                if (unpackedBytes > free)
                    return new Result(2, $"{zip} unpacks to {unpackedBytes} bytes, more than the {free} free beside {Path.GetTempPath()}");
                foreach (var entry in files)
                    await entry.ExtractToFileAsync(Path.Combine(unpacked.FullName, entry.FullName[top.Length..]), overwrite: false, ct);
            }
            var result = await VerifyFolderAsync(unpacked.FullName, trust, ct);
            return result with { Message = result.Message.Replace(unpacked.FullName, zip, StringComparison.Ordinal) };
        }
        finally
        {
            unpacked.Delete(recursive: true);
        }
    }

    private static async Task<Result> VerifyFolderAsync(string directory, TrustPolicy trust, CancellationToken ct)
    {
        var manifestPath = Path.Combine(directory, AuditBundle.Manifest);
        if (!File.Exists(manifestPath)) return new Result(1, $"{AuditBundle.Manifest} is missing");
        BundleManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<BundleManifest>(await File.ReadAllBytesAsync(manifestPath, ct), AuditBundle.Json);
        }
        catch (JsonException ex)
        {
            return new Result(1, $"{AuditBundle.Manifest} cannot be read ({ex.Message})");
        }
        if (manifest is { Format: "ledger-audit-bundle/1" })
            return new Result(1, $"{AuditBundle.Manifest} is a ledger-audit-bundle/1 manifest, which is not signed and states no version ranges; export the bundle again");
        if (manifest is null || manifest.Files is null || manifest.Streams is null || manifest.Counts is null || manifest.Checkpoint is null
            || manifest.Format != AuditBundle.Format)
            return new Result(1, $"{AuditBundle.Manifest} is not a {AuditBundle.Format} manifest");
        var signaturePath = Path.Combine(directory, AuditBundle.ManifestSignature);
        if (!File.Exists(signaturePath)) return new Result(1, $"{AuditBundle.ManifestSignature} is missing: nothing signs {AuditBundle.Manifest}");

        var listed = manifest.Files.ToDictionary(f => f.Name, StringComparer.Ordinal);
        foreach (var required in AuditBundle.Files)
        {
            if (!listed.ContainsKey(required)) return new Result(1, $"{required} is not listed in {AuditBundle.Manifest}");
        }
        foreach (var entry in Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal))
        {
            if (entry is not (AuditBundle.Manifest or AuditBundle.ManifestSignature) && !listed.ContainsKey(entry!))
                return new Result(1, $"{entry} is not part of the bundle (not in {AuditBundle.Manifest})");
        }
        foreach (var file in manifest.Files)
        {
            var path = Path.Combine(directory, file.Name);
            if (file.Name.Contains('/') || file.Name.Contains('\\') || !File.Exists(path)) return new Result(1, $"{file.Name} is missing");
            var (sha, size) = await HashAsync(path, ct);
            if (size != file.Size || !string.Equals(sha, file.Sha256, StringComparison.OrdinalIgnoreCase))
                return new Result(1, $"{file.Name} has changed: its SHA-256 is {sha} ({size} bytes), the manifest says {file.Sha256} ({file.Size} bytes)");
            var basis = AuditBundle.BasisOf(file.Name, Whole(manifest));
            if (file.Basis != basis)
                return new Result(1, $"{AuditBundle.Manifest} labels {file.Name} {Printable(file.Basis ?? "(none)")}; it is {basis}");
        }

        var named = manifest.VerifierKey?.Trim();
        var note = await File.ReadAllTextAsync(Path.Combine(directory, AuditBundle.Checkpoint), ct);
        var verdict = trust.Verify(note);
        var trustedNamed = trust.Logs.Any(log => string.Equals(named, log.ToString(), StringComparison.Ordinal));
        var otherKey = trustedNamed ? "" : $"; {AuditBundle.Manifest} names another key, {Printable(named ?? "(none)")}";
        if (verdict.Log is null || verdict.Checkpoint is null)
            return new Result(1, $"{AuditBundle.Checkpoint}: the signature does not verify with the key given ({verdict.Reason}){otherKey}");
        if (!string.Equals(named, verdict.Log.ToString(), StringComparison.Ordinal))
            return new Result(1, $"{AuditBundle.Manifest} names the verifier key {Printable(named ?? "(none)")}, not the key given, which signed {AuditBundle.Checkpoint}");
        if (!verdict.Valid)
            return new Result(1, $"{AuditBundle.Checkpoint}: signed by the ledger but not witnessed as the policy asks ({verdict.Reason})");
        var checkpoint = verdict.Checkpoint;
        var key = verdict.Log;

        if (manifest.Checkpoint.TreeSize != checkpoint.TreeSize || manifest.Checkpoint.Root != Convert.ToBase64String(checkpoint.RootHash))
            return new Result(1, $"{AuditBundle.Manifest} names another checkpoint than {AuditBundle.Checkpoint} (tree size {manifest.Checkpoint.TreeSize})");

        Result events;
        try
        {
            events = await VerifyEventsAsync(directory, manifest, checkpoint, ct);
        }
        catch (DecoderFallbackException)
        {
            return new Result(1, $"{AuditBundle.Events}, {AuditBundle.EventsCsv} or {AuditBundle.Proofs} is not UTF-8 text");
        }
        if (events.Status != 0) return events;

        var manifestSha = (await HashAsync(manifestPath, ct)).Sha256;
        var (manifestSigned, why) = ManifestSignature.Verify(await File.ReadAllTextAsync(signaturePath, ct), key, manifestSha, checkpoint);
        if (!manifestSigned)
            return new Result(1, $"{AuditBundle.ManifestSignature}: bad manifest signature, {AuditBundle.Manifest} is not the one the ledger signed ({why})");
        var viewsWord = manifest.Files.Where(f => f.Basis == FileBasis.SignedManifest).Select(f => f.Name).ToList();
        return events with
        {
            Message = events.Message + $"; {(Whole(manifest) ? $"{AuditBundle.EventsCsv} and {AuditBundle.CommitmentsCsv}" : AuditBundle.EventsCsv)} recomputed from them; manifest signed by the ledger"
                + (trust.RequiresWitnesses ? $"; checkpoint {verdict.Reason}" : "")
                + (viewsWord.Count == 0 ? "" : $"; {string.Join(", ", viewsWord)}: the views' word at export time, covered by the signature, not proved"),
        };
    }

    private static async Task<Result> VerifyEventsAsync(string directory, BundleManifest manifest, Checkpoint checkpoint, CancellationToken ct)
    {
        using var events = new StreamReader(Path.Combine(directory, AuditBundle.Events), new UTF8Encoding(false, throwOnInvalidBytes: true));
        using var proofs = new StreamReader(Path.Combine(directory, AuditBundle.Proofs), new UTF8Encoding(false, throwOnInvalidBytes: true));
        using var csv = new StreamReader(Path.Combine(directory, AuditBundle.EventsCsv), new UTF8Encoding(false, throwOnInvalidBytes: true));
        if (await ReadExactlyAsync(csv, AuditBundle.EventsCsvHeader.Length, ct) != AuditBundle.EventsCsvHeader)
            return new Result(1, $"{AuditBundle.EventsCsv} does not start with its header line");
        // The version each stream must show next: versions run whole from the manifest's first to its last.
        var ranges = new Dictionary<string, (long Next, long Last)>(StringComparer.Ordinal);
        foreach (var range in manifest.Streams)
        {
            if (range is null || range.Stream is null || range.First < 1 || range.Last < range.First || !ranges.TryAdd(range.Stream, (range.First, range.Last)))
                return new Result(1, $"{AuditBundle.Manifest} states a version range that is not one ({Printable(range?.Stream ?? "(none)")})");
            // Without a time window a bundle holds each stream from its first event.
            if (manifest.Selection is { From: null, To: null } && range.First != 1)
                return new Result(1, $"{AuditBundle.Manifest} states {Printable(range.Stream)} from version {range.First}, not 1, for a selection without --from/--to");
        }
        var commitments = Whole(manifest) ? new CommitmentFold() : null;
        long line = 0;
        while (true)
        {
            var eventLine = await events.ReadLineAsync(ct);
            var proofLine = await proofs.ReadLineAsync(ct);
            if (eventLine is null && proofLine is null) break;
            line++;
            if (eventLine is null) return new Result(1, $"{AuditBundle.Proofs} line {line} has no event in {AuditBundle.Events}");
            if (proofLine is null) return new Result(1, $"{AuditBundle.Events} line {line} has no proof in {AuditBundle.Proofs}");

            InclusionProofDocument? proof;
            try
            {
                proof = JsonSerializer.Deserialize<InclusionProofDocument>(proofLine, AuditBundle.Json);
            }
            catch (JsonException ex)
            {
                return new Result(1, $"{AuditBundle.Proofs} line {line} is not a proof ({ex.Message})");
            }
            if (proof is null) return new Result(1, $"{AuditBundle.Proofs} line {line} is not a proof");
            var leafHash = Rfc9162.LeafHash(Encoding.UTF8.GetBytes(eventLine));
            if (Convert.ToBase64String(leafHash) != proof.LeafHash)
                return new Result(1, $"{AuditBundle.Events} line {line} (event {proof.Sequence}) does not hash to the leaf its proof names");
            if (proof.TreeSize != checkpoint.TreeSize || proof.Root != Convert.ToBase64String(checkpoint.RootHash))
                return new Result(1, $"{AuditBundle.Proofs} line {line} is not against the signed checkpoint (tree size {checkpoint.TreeSize})");
            var path = new List<byte[]>();
            foreach (var hash in proof.Proof ?? [])
            {
                var bytes = TryBase64(hash);
                if (bytes is null) return new Result(1, $"{AuditBundle.Proofs} line {line} has a hash that is not base64");
                path.Add(bytes);
            }
            var verdict = MerkleVerify.Inclusion(proof.LeafIdx, checkpoint.TreeSize, leafHash, path, checkpoint.RootHash);
            if (!verdict.Valid) return new Result(1, $"{AuditBundle.Proofs} line {line} (event {proof.Sequence}): {verdict.Reason}");

            // The line is the ledger's own now; what it says of its place and its CSV row is checked next.
            var row = EventRow.Read(eventLine);
            if (row is null) return new Result(1, $"{AuditBundle.Events} line {line} is not an event");
            if (!ranges.TryGetValue(row.Stream, out var range))
                return new Result(1, $"{AuditBundle.Events} line {line} is of {Printable(row.Stream)}, a stream {AuditBundle.Manifest} states no versions of");
            if (row.Version != range.Next)
            {
                return new Result(1, row.Version > range.Next && range.Next <= range.Last
                    ? $"{Printable(row.Stream)} version {range.Next} is missing ({AuditBundle.Manifest} states every version to {range.Last}, each proved; {AuditBundle.Events} line {line} is version {row.Version})"
                    : $"{AuditBundle.Events} line {line} is {Printable(row.Stream)} version {row.Version}, outside the versions {AuditBundle.Manifest} states or out of order");
            }
            ranges[row.Stream] = range with { Next = range.Next + 1 };
            try
            {
                commitments?.Add(Encoding.UTF8.GetBytes(eventLine));
            }
            catch (Exception ex) when (ex is FormatException or JsonException or NotSupportedException or InvalidOperationException or KeyNotFoundException)
            {
                return new Result(1, $"{AuditBundle.Events} line {line} cannot be folded into its commitment's record: {Printable(ex.Message)}");
            }
            var expected = AuditBundle.EventsCsvLine(row.Sequence, row.Stream, row.Version, row.Type, row.Timestamp, row.ActorId, row.ActorRole, row.ActorGovernment);
            if (await ReadExactlyAsync(csv, expected.Length, ct) != expected)
                return new Result(1, $"{AuditBundle.EventsCsv} row {line} is not the row of event {row.Sequence} ({Printable(row.Stream)} version {row.Version}) in {AuditBundle.Events}");
        }
        if (await csv.ReadAsync(new char[1], ct) > 0)
            return new Result(1, $"{AuditBundle.EventsCsv} has rows after the last event in {AuditBundle.Events}");
        foreach (var (stream, range) in ranges)
        {
            if (range.Next <= range.Last)
                return new Result(1, $"{Printable(stream)} version {range.Next} is missing ({AuditBundle.Manifest} states versions to {range.Last}, each proved; {AuditBundle.Events} ends before it)");
        }
        if (commitments is not null && await CompareFoldedAsync(directory, commitments, ct) is { } folded)
            return folded;
        if (line != manifest.Counts.Events)
            return new Result(1, $"{AuditBundle.Events} holds {line} events, the manifest says {manifest.Counts.Events}");
        if (ranges.Count != manifest.Counts.Streams)
            return new Result(1, $"{AuditBundle.Events} holds events of {ranges.Count} streams, the manifest says {manifest.Counts.Streams}");
        return new Result(0, $"bundle verified: {line} events, each proved in the signed checkpoint of tree size {checkpoint.TreeSize}", line);
    }

    private static async Task<string> ReadExactlyAsync(StreamReader reader, int length, CancellationToken ct)
    {
        var buffer = new char[length];
        var read = await reader.ReadBlockAsync(buffer.AsMemory(), ct);
        return new string(buffer, 0, read);
    }

    /// <summary>What an event line says of itself, for its range and its CSV row; null when it is not an event.</summary>
    private sealed record EventRow(long Sequence, string Stream, long Version, string Type, string Timestamp, string? ActorId, string? ActorRole, string? ActorGovernment)
    {
        public static EventRow? Read(string line)
        {
            try
            {
                using var json = JsonDocument.Parse(line);
                var root = json.RootElement;
                var actor = root.GetProperty("actor");
                if (root.GetProperty("stream").GetString() is not { } stream || root.GetProperty("type").GetString() is not { } type
                    || root.GetProperty("timestamp").GetString() is not { } timestamp)
                    return null;
                return new EventRow(root.GetProperty("sequence").GetInt64(), stream, root.GetProperty("version").GetInt64(), type, timestamp,
                    actor.GetProperty("id").GetString(), actor.GetProperty("role").GetString(), actor.GetProperty("government").GetString());
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                return null;
            }
        }
    }

    private static bool Whole(BundleManifest manifest) => manifest.Selection is { From: null, To: null };

    // commitments.csv must be, line for line, what folding the bundle's events gives.
    private static async Task<Result?> CompareFoldedAsync(string directory, CommitmentFold commitments, CancellationToken ct)
    {
        using var csv = new StreamReader(Path.Combine(directory, AuditBundle.CommitmentsCsv), new UTF8Encoding(false, throwOnInvalidBytes: true));
        var row = 0;
        foreach (var expected in commitments.Lines())
        {
            if (await ReadExactlyAsync(csv, expected.Length, ct) != expected)
            {
                var id = expected.Split(',', 2)[0];
                return new Result(1, row == 0
                    ? $"{AuditBundle.CommitmentsCsv} does not start with its header line"
                    : $"{AuditBundle.CommitmentsCsv} row {row} is not the record the events give for the commitment {Printable(id)} (recomputed from {AuditBundle.Events})");
            }
            row++;
        }
        return await csv.ReadAsync(new char[1], ct) > 0
            ? new Result(1, $"{AuditBundle.CommitmentsCsv} has rows after the last commitment the events give")
            : null;
    }

    private static async Task<(string Sha256, long Size)> HashAsync(string path, CancellationToken ct)
    {
        await using var stream = File.OpenRead(path);
        var hash = await SHA256.HashDataAsync(stream, ct);
        return (Convert.ToHexStringLower(hash), stream.Length);
    }

    // The manifest's text goes to a terminal: no control characters, and not too long.
    private static string Printable(string text) =>
        new([.. text.Take(200).Select(c => char.IsControl(c) ? '?' : c)]);

    private static byte[]? TryBase64(string? text)
    {
        if (text is null) return null;
        var buffer = new byte[(text.Length * 3 / 4) + 3];
        return Convert.TryFromBase64String(text, buffer, out var written) ? buffer[..written] : null;
    }
}
