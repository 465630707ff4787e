using System.Text.Json;

namespace Ledger.Integrity.Merkle;

/// <summary>What became of a proof file; the values are the exit codes of <c>ledger proof verify</c>.</summary>
public enum ProofFileStatus
{
    /// <summary>The proof verifies.</summary>
    Valid = 0,
    /// <summary>The file is a proof, and it does not verify (wrong hash, size, length, index…).</summary>
    Invalid = 1,
    /// <summary>The file cannot be read as a proof: missing, not JSON, wrong types, not base64, unclear shape.</summary>
    Unreadable = 2,
}

/// <summary>Which proof a file holds; <see cref="Unknown"/> when it cannot be read as either.</summary>
public enum ProofFileKind
{
    Unknown,
    Inclusion,
    Consistency,
}

/// <summary>
/// The status and one line: what the proof shows, why it fails, or why the file is unreadable; and
/// which proof it was. A proof file carries its own root hashes, so a valid proof shows only that it
/// holds against them: whether they are the ledger's roots is for the caller to check.
/// </summary>
public readonly record struct ProofFileResult(ProofFileStatus Status, string Reason, ProofFileKind Kind = ProofFileKind.Unknown)
{
    /// <summary>
    /// The signed checkpoints the file carries beside its roots (<c>checkpoint</c> of an inclusion proof,
    /// <c>checkpoint1</c>/<c>checkpoint2</c> of a consistency proof, as the ledger's proof endpoints write
    /// them), each with the size and root the proof claims for it. They are the file's word until a key or a
    /// policy the caller trusts has checked them.
    /// </summary>
    public IReadOnlyList<ClaimedCheckpoint> Checkpoints { get; init; } = [];
}

/// <summary>A signed checkpoint a proof file carries, and the tree size and root the proof uses it for.</summary>
public sealed record ClaimedCheckpoint(string Field, string SignedNote, long TreeSize, byte[] Root);

/// <summary>
/// Reads and checks a proof file offline: a JSON object that is either an inclusion proof
/// <c>{"leafIdx", "treeSize", "root", "leafHash", "proof"}</c> or a consistency proof
/// <c>{"size1", "size2", "root1", "root2", "proof"}</c> — the shape of the reference test data of
/// transparency-dev/merkle and of the ledger's proof endpoints. Hashes are standard base64; "proof"
/// may be missing or null (empty). Which kind is decided by the keys present; names match without
/// regard to case, other keys are ignored, a key given twice is refused.
/// </summary>
public static class ProofFile
{
    /// <summary>Larger files are refused unread: a proof is a few kilobytes (at most 64 hashes).</summary>
    public const int MaxBytes = 1 << 20;

    private static readonly string[] InclusionKeys = ["leafIdx", "treeSize", "root", "leafHash"];
    private static readonly string[] ConsistencyKeys = ["size1", "size2", "root1", "root2"];

    private static readonly JsonDocumentOptions Strict = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 16,
    };

    /// <summary>Reads the file at <paramref name="path"/> and checks the proof in it. Never throws for a bad file.</summary>
    public static ProofFileResult Verify(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) return Unreadable("no file named");
        byte[]? content;
        try
        {
            content = ReadLimited(path);
        }
        catch (FileNotFoundException)
        {
            return Unreadable("no such file");
        }
        catch (DirectoryNotFoundException)
        {
            return Unreadable("no such file (its folder does not exist)");
        }
        catch (UnauthorizedAccessException)
        {
            return Unreadable(Directory.Exists(path) ? "it is a folder, not a file" : "permission denied");
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or NotSupportedException or System.Security.SecurityException)
        {
            return Unreadable(OneLine(ex.Message));
        }
        return content is null ? Unreadable($"larger than {MaxBytes / 1024} KiB; a proof is a few kilobytes") : VerifyJson(content);
    }

    /// <summary>Checks the proof in a UTF-8 JSON text. Never throws for bad input.</summary>
    public static ProofFileResult VerifyJson(ReadOnlySpan<byte> utf8Json)
    {
        if (utf8Json.StartsWith("\uFEFF"u8)) utf8Json = utf8Json[3..];
        if (utf8Json.Length > MaxBytes) return Unreadable($"larger than {MaxBytes / 1024} KiB; a proof is a few kilobytes");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json.ToArray(), Strict);
        }
        catch (JsonException ex)
        {
            return Unreadable($"not JSON ({OneLine(ex.Message)})");
        }
        using (document)
        {
            try
            {
                return Check(document.RootElement);
            }
            catch (UnreadableProofException ex)
            {
                return Unreadable(ex.Message);
            }
            catch (ImpossibleClaimException ex)
            {
                return new ProofFileResult(ProofFileStatus.Invalid, ex.Message);
            }
        }
    }

    private static ProofFileResult Check(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new UnreadableProofException($"not a proof: the JSON is {Describe(root.ValueKind)}, not an object");
        var fields = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in root.EnumerateObject())
        {
            if (!fields.TryAdd(property.Name, property.Value))
                throw new UnreadableProofException($"the field {Shorten(property.Name)} is given twice");
        }
        var inclusion = Array.Exists(InclusionKeys, fields.ContainsKey);
        var consistency = Array.Exists(ConsistencyKeys, fields.ContainsKey);
        if (inclusion && consistency)
        {
            throw new UnreadableProofException(
                "it mixes the fields of an inclusion proof (leafIdx, treeSize, root, leafHash) and of a consistency proof (size1, size2, root1, root2)");
        }
        if (inclusion)
        {
            var (size, rootHash) = (Integer(fields, "treeSize"), Hash(fields, "root"));
            var result = MerkleVerify.Inclusion(Integer(fields, "leafIdx"), size, Hash(fields, "leafHash"), Proof(fields), rootHash);
            return new ProofFileResult(result.Valid ? ProofFileStatus.Valid : ProofFileStatus.Invalid, result.Reason, ProofFileKind.Inclusion)
            {
                Checkpoints = Claimed(fields, ("checkpoint", size, rootHash)),
            };
        }
        if (consistency)
        {
            var (size1, size2, root1, root2) = (Integer(fields, "size1"), Integer(fields, "size2"), Hash(fields, "root1"), Hash(fields, "root2"));
            var result = MerkleVerify.Consistency(size1, size2, root1, root2, Proof(fields));
            return new ProofFileResult(result.Valid ? ProofFileStatus.Valid : ProofFileStatus.Invalid, result.Reason, ProofFileKind.Consistency)
            {
                Checkpoints = Claimed(fields, ("checkpoint1", size1, root1), ("checkpoint2", size2, root2)),
            };
        }
        throw new UnreadableProofException(
            "not a proof: it has neither the fields of an inclusion proof (leafIdx, treeSize, root, leafHash, proof) nor of a consistency proof (size1, size2, root1, root2, proof)");
    }

    private static ClaimedCheckpoint[] Claimed(Dictionary<string, JsonElement> fields, params (string Field, long Size, byte[] Root)[] candidates)
    {
        var claimed = new List<ClaimedCheckpoint>();
        foreach (var (field, size, root) in candidates)
        {
            if (!fields.TryGetValue(field, out var value) || value.ValueKind == JsonValueKind.Null) continue;
            if (value.ValueKind != JsonValueKind.String)
                throw new UnreadableProofException($"'{field}' must be a signed checkpoint's text, not {Describe(value.ValueKind)}");
            claimed.Add(new ClaimedCheckpoint(field, value.GetString()!, size, root));
        }
        return [.. claimed];
    }

    private static long Integer(Dictionary<string, JsonElement> fields, string name)
    {
        var value = Required(fields, name);
        if (value.ValueKind != JsonValueKind.Number)
            throw new UnreadableProofException($"'{name}' must be an integer, not {Describe(value.ValueKind)}");
        if (value.TryGetInt64(out var number)) return number;
        var raw = value.GetRawText();
        // A whole number too large for a long is a readable claim no log can satisfy (the reference
        // test data has 2^64-1 from an index wrapped below 0): an invalid proof, not an unreadable file.
        if (raw.TrimStart('-').All(char.IsAsciiDigit))
            throw new ImpossibleClaimException($"{name} {Shorten(raw)} is outside the sizes and indexes a log can have (0 … 2^63-1)");
        throw new UnreadableProofException($"'{name}' must be a whole number, not {Shorten(raw)}");
    }

    private static byte[] Hash(Dictionary<string, JsonElement> fields, string name) => Base64(Required(fields, name), $"'{name}'");

    private static byte[][] Proof(Dictionary<string, JsonElement> fields)
    {
        if (!fields.TryGetValue("proof", out var value) || value.ValueKind == JsonValueKind.Null) return [];
        if (value.ValueKind != JsonValueKind.Array)
            throw new UnreadableProofException($"'proof' must be an array of base64 hashes, not {Describe(value.ValueKind)}");
        var proof = new byte[value.GetArrayLength()][];
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            proof[i] = Base64(item, $"proof hash {i}");
            i++;
        }
        return proof;
    }

    private static JsonElement Required(Dictionary<string, JsonElement> fields, string name) =>
        fields.TryGetValue(name, out var value)
            ? value
            : throw new UnreadableProofException($"the field '{name}' is missing");

    private static byte[] Base64(JsonElement value, string what)
    {
        if (value.ValueKind != JsonValueKind.String)
            throw new UnreadableProofException($"{what} must be a base64 string, not {Describe(value.ValueKind)}");
        return value.TryGetBytesFromBase64(out var bytes)
            ? bytes
            : throw new UnreadableProofException($"{what} is not base64: {Shorten(value.GetString() ?? "")}");
    }

    // Returns null when the file is larger than MaxBytes.
    private static byte[]? ReadLimited(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        if (stream.CanSeek && stream.Length > MaxBytes) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBytes) return null;
        }
        return buffer.ToArray();
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Shorten(string text) => $"'{Printable(text, 60)}'";

    private static string OneLine(string text) => Printable(text.ReplaceLineEndings(" ").Trim(), 300);

    // Text from the file goes to a terminal: control characters (escape sequences, line breaks,
    // direction overrides) are shown as \uXXXX rather than sent, and long text is cut.
    private static string Printable(string text, int max)
    {
        var printable = new System.Text.StringBuilder(Math.Min(text.Length, max + 1));
        foreach (var c in text)
        {
            if (printable.Length >= max)
            {
                printable.Append('…');
                break;
            }
            if (char.IsControl(c) || char.IsSurrogate(c) || c is '\u2028' or '\u2029' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069'))
                printable.Append($"\\u{(int)c:X4}");
            else
                printable.Append(c);
        }
        return printable.ToString();
    }

    private static ProofFileResult Unreadable(string reason) => new(ProofFileStatus.Unreadable, reason);

    private sealed class UnreadableProofException(string message) : Exception(message);

    private sealed class ImpossibleClaimException(string message) : Exception(message);
}
