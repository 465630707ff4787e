using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ledger.Infrastructure.Audit;

/// <summary>
/// An audit bundle: a folder an auditor can check offline. <c>events.jsonl</c> holds one line per
/// event, the event's leaf bytes (so SHA-256(0x00 ‖ line) is its leaf hash); <c>proofs.jsonl</c> the
/// inclusion proof of the event on the same line against <c>checkpoint.txt</c>, the signed checkpoint;
/// <c>events.csv</c> the same events for a spreadsheet, <c>commitments.csv</c> the selected commitments' compiled
/// records and, for a government, <c>compliance.csv</c> its compliance row; <c>manifest.json</c> every other file's SHA-256
/// and size, what was selected, the counts and the verifier key of the ledger that signed the checkpoint.
/// </summary>
public static class AuditBundle
{
    public const string Format = "ledger-audit-bundle/1";
    public const string Events = "events.jsonl";
    public const string EventsCsv = "events.csv";
    /// <summary>The compiled record of each selected commitment, one row each.</summary>
    public const string CommitmentsCsv = "commitments.csv";
    /// <summary>For a government's bundle, its row of the supervisors' compliance view.</summary>
    public const string ComplianceCsv = "compliance.csv";
    public const string Checkpoint = "checkpoint.txt";
    public const string Proofs = "proofs.jsonl";
    public const string Manifest = "manifest.json";

    /// <summary>
    /// The files the manifest must list. The view CSVs are not among them: they are checked by their
    /// hashes when the manifest lists them, and bundles written before they existed still verify.
    /// </summary>
    public static IReadOnlyList<string> Files { get; } = [Events, EventsCsv, Checkpoint, Proofs];

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = false,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        // Files for people and tools, never embedded in HTML: base64's '+' stays '+', not \u002B.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static JsonSerializerOptions IndentedJson { get; } = new(Json) { WriteIndented = true };
}

/// <summary>What goes into a bundle: one commitment, agreement or government (with its commitments), or everything; optionally a time range.</summary>
public sealed record ExportSelection(ExportScope Scope, string? Id, DateTimeOffset? From, DateTimeOffset? To);

[JsonConverter(typeof(JsonStringEnumConverter<ExportScope>))]
public enum ExportScope
{
    Commitment,
    Agreement,
    Government,
    All,
}

public sealed record BundleManifest(
    string Format,
    DateTimeOffset CreatedAt,
    ManifestSelection Selection,
    ManifestCounts Counts,
    ManifestCheckpoint Checkpoint,
    string VerifierKey,
    IReadOnlyList<ManifestFile> Files);

/// <summary>The selection as asked, and the streams it resolved to (null for the whole ledger).</summary>
public sealed record ManifestSelection(ExportScope Scope, string? Id, DateTimeOffset? From, DateTimeOffset? To, IReadOnlyList<string>? Streams);

/// <summary>
/// Events in the bundle, streams they come from, and selected events left out because the
/// checkpoint does not cover them yet (committed while the bundle was written).
/// </summary>
public sealed record ManifestCounts(long Events, int Streams, long LeftOutAfterCheckpoint);

public sealed record ManifestCheckpoint(long TreeSize, string Root);

public sealed record ManifestFile(string Name, string Sha256, long Size);

/// <summary>A bundle that cannot be written; <see cref="BadInput"/> when the request itself is at fault.</summary>
public class AuditBundleException(string message, bool badInput = false) : Exception(message)
{
    public bool BadInput { get; } = badInput;
}
