using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ledger.Infrastructure.Audit;

/// <summary>
/// An audit bundle: a folder an auditor can check offline. <c>events.jsonl</c> holds one line per
/// event, the event's leaf bytes (so SHA-256(0x00 ‖ line) is its leaf hash); <c>proofs.jsonl</c> the
/// inclusion proof of the event on the same line against <c>checkpoint.txt</c>, the signed checkpoint;
/// <c>events.csv</c> the same events for a spreadsheet, <c>commitments.csv</c> the selected commitments' compiled
/// records (folded from the bundle's events, <see cref="CommitmentFold"/>, unless a time window cuts the streams) and, for a government, <c>compliance.csv</c> its compliance row; <c>manifest.json</c> every other file's SHA-256,
/// size and basis, what was selected, for each stream the first and last version the bundle holds, the counts and the
/// verifier key of the ledger; <c>manifest.sig</c> the ledger's signature of the manifest (see <see cref="ManifestSignature"/>).
/// </summary>
public static class AuditBundle
{
    // 2: the manifest is signed and states each stream's version range; a /1 bundle proves neither.
    public const string Format = "ledger-audit-bundle/2";
    public const string Events = "events.jsonl";
    public const string EventsCsv = "events.csv";
    /// <summary>The compiled record of each selected commitment, one row each.</summary>
    public const string CommitmentsCsv = "commitments.csv";
    /// <summary>For a government's bundle, its row of the supervisors' compliance view.</summary>
    public const string ComplianceCsv = "compliance.csv";
    public const string Checkpoint = "checkpoint.txt";
    public const string Proofs = "proofs.jsonl";
    public const string Manifest = "manifest.json";
    /// <summary>The ledger's signed note over the manifest's SHA-256 and the checkpoint its proofs use.</summary>
    public const string ManifestSignature = "manifest.sig";

    /// <summary>The header of <c>events.csv</c>.</summary>
    public const string EventsCsvHeader = "sequence,stream,version,type,timestamp,actor_id,actor_role,actor_government\n";

    /// <summary>
    /// The files the manifest must list. The view CSVs are not among them: they are checked by their
    /// hashes when the manifest lists them, and bundles written before they existed still verify.
    /// </summary>
    public static IReadOnlyList<string> Files { get; } = [Events, EventsCsv, Checkpoint, Proofs];

    /// <summary>
    /// How each file is backed, as the manifest labels it and <c>export verify</c> checks it: events and
    /// proofs are proved against the signed checkpoint, <c>events.csv</c> is recomputed from the events,
    /// and the views' files are their word at export time, covered by the manifest's signature only.
    /// </summary>
    public static string BasisOf(string file, bool wholeStreams) => file switch
    {
        Events or Proofs => FileBasis.Proved,
        Checkpoint => FileBasis.SignedCheckpoint,
        EventsCsv => FileBasis.Recomputed,
        // Folded from the bundle's own events when it holds each stream from its first; with a time
        // window, the record as the view held it at export time.
        CommitmentsCsv when wholeStreams => FileBasis.Recomputed,
        _ => FileBasis.SignedManifest,
    };

    /// <summary>One CSV line of <c>events.csv</c> (the timestamp as the leaf writes it).</summary>
    public static string EventsCsvLine(long sequence, string stream, long version, string type, string timestamp,
        string? actorId, string? actorRole, string? actorGovernment) => string.Join(',',
        sequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Csv(stream),
        version.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Csv(type),
        timestamp,
        Csv(actorId),
        Csv(actorRole),
        Csv(actorGovernment)) + "\n";

    // RFC 4180: quote a field holding a comma, quote or line break, doubling its quotes.
    internal static string Csv(string? value) =>
        value is null ? "" : value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

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
    IReadOnlyList<ManifestStream> Streams,
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

/// <summary>What backs a file of the bundle (see <see cref="AuditBundle.BasisOf"/>).</summary>
public static class FileBasis
{
    public const string Proved = "proved";
    public const string SignedCheckpoint = "signed-checkpoint";
    public const string Recomputed = "recomputed";
    public const string SignedManifest = "signed-manifest";
}

/// <summary>
/// A stream's versions in the bundle: every version from <paramref name="First"/> to <paramref name="Last"/>, each
/// proved. For a whole stream 1 and its head at the checkpoint; with a time window the versions inside it.
/// </summary>
public sealed record ManifestStream(string Stream, long First, long Last);

public sealed record ManifestFile(string Name, string Sha256, long Size, string Basis);

/// <summary>A bundle that cannot be written; <see cref="BadInput"/> when the request itself is at fault.</summary>
public class AuditBundleException(string message, bool badInput = false) : Exception(message)
{
    public bool BadInput { get; } = badInput;
}
