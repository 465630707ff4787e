using System.Security.Cryptography;
using System.Text;
using Ledger.Integrity.Checkpoints;

namespace Ledger.Witness.Cosigning;

/// <summary>
/// The logs a witness cosigns for: each origin with the log keys (signed-note type 0x01) it trusts for it.
/// Several keys for one origin allow a log to rotate its key.
/// </summary>
internal sealed class TrustedLogs
{
    private readonly Dictionary<string, List<NoteVerifierKey>> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _byOriginHash = new(StringComparer.Ordinal);

    public IEnumerable<string> Origins => _keys.Keys;

    public IReadOnlyList<NoteVerifierKey> KeysOf(string origin) => _keys[origin];

    /// <summary>
    /// Reads one <c>--log ORIGIN=VKEY</c>. The split is at the last '=': an origin may hold one, an Ed25519
    /// verifier key never does (base64 of 33 bytes has no padding).
    /// </summary>
    public void Add(string spec)
    {
        var split = spec.LastIndexOf('=');
        if (split <= 0)
            throw new WitnessFailure($"--log '{spec}' is not ORIGIN=VKEY", 2);
        var (origin, text) = (spec[..split], spec[(split + 1)..]);
        if (!Checkpoint.IsValidOrigin(origin))
            throw new WitnessFailure($"--log '{spec}': the origin is empty or holds control characters", 2);
        if (!NoteVerifierKey.TryParse(text, out var key, out var reason))
            throw new WitnessFailure($"--log '{spec}': the verifier key does not parse ({reason})", 2);
        if (key.IsCosigner)
            throw new WitnessFailure($"--log '{spec}': {key.Name}+{key.KeyIdHex} is a witness's key (type 0x04), not a log's (type 0x01)", 2);

        if (!_keys.TryGetValue(origin, out var keys))
        {
            _keys[origin] = keys = [];
            _byOriginHash[OriginHash(origin)] = origin;
        }
        if (!keys.Exists(k => k.KeyId == key.KeyId && k.Name == key.Name))
            keys.Add(key);
    }

    public bool Knows(string origin) => _keys.ContainsKey(origin);

    /// <summary>The origin whose monitoring path is <paramref name="hash"/> (lower-case hex SHA-256), if it is trusted.</summary>
    public string? ByOriginHash(string hash) => _byOriginHash.GetValueOrDefault(hash);

    /// <summary>tlog-witness: the monitoring path segment, hex(SHA-256(origin)) in lower case.</summary>
    public static string OriginHash(string origin) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(origin)));

    /// <summary>
    /// tlog-witness and signed-note: signatures by keys not trusted for the origin are ignored; one by a trusted
    /// key (name and key ID) that fails to verify makes the note malformed; at least one must verify. Returns the
    /// verified signature lines (what the monitoring endpoint serves with the cosignature), or why not (a 403).
    /// </summary>
    public (IReadOnlyList<string>? Verified, string Problem) Verify(SubmittedCheckpoint checkpoint)
    {
        var verified = new List<string>();
        foreach (var key in _keys[checkpoint.Origin])
        {
            var lines = checkpoint.Signatures.Where(line => line.IsBy(key)).ToList();
            if (lines.Count == 0)
                continue;
            var (valid, reason, _) = SignedNote.Open(checkpoint.Note, key);
            if (!valid)
                return (null, reason);
            verified.AddRange(lines.Select(SubmittedCheckpoint.Line));
        }
        return verified.Count == 0
            ? (null, $"no signature by a key trusted for {checkpoint.Origin}")
            : (verified, "ok");
    }
}
