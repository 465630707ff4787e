using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ledger.Infrastructure.Integrity;

namespace Ledger.Infrastructure.Audit;

/// <summary>
/// Checks an audit bundle offline, with nothing but the folder and the verifier key the auditor trusts
/// (the ledger's, from GET /api/integrity/public-key): every file
/// against the manifest (missing, changed or extra files fail), the checkpoint's signature, and
/// for every event line its leaf hash, its proof and the proof's root against the checkpoint.
/// The status values are the exit codes of <c>ledger export verify</c>: 0 valid, 1 invalid, 2 unreadable.
/// The key the manifest names is never trusted, only compared with the one given: a forger who
/// rewrites the events can sign a checkpoint of them with a key of their own and name it there.
/// </summary>
public static class AuditBundleVerifier
{
    public sealed record Result(int Status, string Message, long Events = 0);

    public static async Task<Result> VerifyAsync(string directory, string trustedKey, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(trustedKey);
        if (!Directory.Exists(directory)) return new Result(2, $"no bundle folder at {directory}");
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
        if (manifest is null || manifest.Files is null || manifest.Format != AuditBundle.Format)
            return new Result(1, $"{AuditBundle.Manifest} is not a {AuditBundle.Format} manifest");

        var listed = manifest.Files.ToDictionary(f => f.Name, StringComparer.Ordinal);
        foreach (var required in AuditBundle.Files)
        {
            if (!listed.ContainsKey(required)) return new Result(1, $"{required} is not listed in {AuditBundle.Manifest}");
        }
        foreach (var entry in Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal))
        {
            if (entry != AuditBundle.Manifest && !listed.ContainsKey(entry!))
                return new Result(1, $"{entry} is not part of the bundle (not in {AuditBundle.Manifest})");
        }
        foreach (var file in manifest.Files)
        {
            var path = Path.Combine(directory, file.Name);
            if (file.Name.Contains('/') || file.Name.Contains('\\') || !File.Exists(path)) return new Result(1, $"{file.Name} is missing");
            var (sha, size) = await HashAsync(path, ct);
            if (size != file.Size || !string.Equals(sha, file.Sha256, StringComparison.OrdinalIgnoreCase))
                return new Result(1, $"{file.Name} has changed: its SHA-256 is {sha} ({size} bytes), the manifest says {file.Sha256} ({file.Size} bytes)");
        }

        var key = trustedKey.Trim();
        var named = manifest.VerifierKey?.Trim();
        var note = await File.ReadAllTextAsync(Path.Combine(directory, AuditBundle.Checkpoint), ct);
        var (signed, reason, checkpoint) = CheckpointVerifier.Verify(note, key);
        var otherKey = string.Equals(named, key, StringComparison.Ordinal) ? "" : $"; {AuditBundle.Manifest} names another key, {Printable(named ?? "(none)")}";
        if (!signed || checkpoint is null)
            return new Result(1, $"{AuditBundle.Checkpoint}: the signature does not verify with the key given ({reason}){otherKey}");
        if (otherKey.Length > 0)
            return new Result(1, $"{AuditBundle.Manifest} names the verifier key {Printable(named ?? "(none)")}, not the key given, which signed {AuditBundle.Checkpoint}");

        try
        {
            return await VerifyEventsAsync(directory, manifest, checkpoint, ct);
        }
        catch (DecoderFallbackException)
        {
            return new Result(1, $"{AuditBundle.Events} or {AuditBundle.Proofs} is not UTF-8 text");
        }
    }

    private static async Task<Result> VerifyEventsAsync(string directory, BundleManifest manifest, Checkpoint checkpoint, CancellationToken ct)
    {
        using var events = new StreamReader(Path.Combine(directory, AuditBundle.Events), new UTF8Encoding(false, throwOnInvalidBytes: true));
        using var proofs = new StreamReader(Path.Combine(directory, AuditBundle.Proofs), new UTF8Encoding(false, throwOnInvalidBytes: true));
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
        }
        if (line != manifest.Counts.Events)
            return new Result(1, $"{AuditBundle.Events} holds {line} events, the manifest says {manifest.Counts.Events}");
        return new Result(0, $"bundle verified: {line} events, each proved in the signed checkpoint of tree size {checkpoint.TreeSize}", line);
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
