using System.Globalization;

namespace Ledger.Integrity.Checkpoints;

/// <summary>
/// What a verifier trusts, in the C2SP tlog-policy file format: the logs whose signature makes a checkpoint
/// theirs, the witnesses whose cosignatures count, and the quorum of those that must have cosigned.
/// <code>
/// log   &lt;vkey of the log (type 0x01)&gt;
/// witness liuyang &lt;vkey (type 0x04)&gt; [url]
/// witness pingxiang &lt;vkey (type 0x04)&gt; [url]
/// group counties 2 liuyang pingxiang …      (also: all, any)
/// quorum counties                            (or a witness, or none)
/// </code>
/// As a shorthand, <c>quorum K</c> with a number asks for K distinct witnesses among all those listed.
/// A checkpoint counts only when one listed log signed it and the quorum cosigned that same body; the
/// bundle or proof that carries it has no say in what is trusted.
/// </summary>
public sealed class TrustPolicy
{
    /// <summary>A policy file is a few kilobytes; larger ones are refused unread.</summary>
    public const int MaxBytes = 64 * 1024;

    private readonly Dictionary<string, Member> _members;
    private readonly Member _quorum;

    private TrustPolicy(IReadOnlyList<NoteVerifierKey> logs, IReadOnlyList<(string Name, NoteVerifierKey Key)> witnesses,
        Dictionary<string, Member> members, Member quorum, string quorumText)
    {
        Logs = logs;
        Witnesses = witnesses;
        _members = members;
        _quorum = quorum;
        QuorumText = quorumText;
    }

    /// <summary>The logs' keys: a checkpoint must carry a valid signature by one of them.</summary>
    public IReadOnlyList<NoteVerifierKey> Logs { get; }

    /// <summary>The witnesses, by the names the policy gives them, and their cosigning keys.</summary>
    public IReadOnlyList<(string Name, NoteVerifierKey Key)> Witnesses { get; }

    /// <summary>The quorum as a sentence, e.g. "2 of liuyang, pingxiang, audit-office".</summary>
    public string QuorumText { get; }

    /// <summary>Whether the quorum asks for any cosignature at all.</summary>
    public bool RequiresWitnesses => _quorum is not Member.None;

    /// <summary>The policy of one log key and no witness (<c>--key</c>): the log's word alone.</summary>
    public static TrustPolicy ForLogKey(NoteVerifierKey logKey)
    {
        ArgumentNullException.ThrowIfNull(logKey);
        if (logKey.IsCosigner)
            throw new FormatException($"{logKey.Name} is a witness's key (type 0x04), not a log's");
        return new TrustPolicy([logKey], [], new Dictionary<string, Member>(StringComparer.Ordinal), Member.None.Instance, "none");
    }

    /// <summary>Reads a policy file; <see cref="FormatException"/> names the line at fault.</summary>
    public static TrustPolicy Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var logs = new List<NoteVerifierKey>();
        var witnesses = new List<(string, NoteVerifierKey)>();
        var members = new Dictionary<string, Member>(StringComparer.Ordinal);
        var publicKeys = new HashSet<string>(StringComparer.Ordinal);
        Member? quorum = null;
        var quorumText = "";
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.TrimEnd('\r').Trim(' ', '\t');
            if (line.Length == 0 || line[0] == '#')
                continue;
            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            switch (fields[0])
            {
                case "log":
                    if (fields.Length is < 2 or > 3) throw Fault(number, "a log line is 'log <vkey> [url]'");
                    var logKey = Key(number, fields[1]);
                    if (logKey.IsCosigner) throw Fault(number, $"{logKey.Name}'s key has type 0x04, a witness's; a log's key has type 0x01");
                    if (!publicKeys.Add(Convert.ToBase64String(logKey.PublicKey))) throw Fault(number, "this key is listed twice");
                    logs.Add(logKey);
                    break;
                case "witness":
                    if (fields.Length is < 3 or > 4) throw Fault(number, "a witness line is 'witness <name> <vkey> [url]'");
                    var name = fields[1];
                    if (name == "none" || members.ContainsKey(name)) throw Fault(number, $"the name {name} is taken");
                    var witnessKey = Key(number, fields[2]);
                    if (!witnessKey.IsCosigner) throw Fault(number, $"{name}'s key has type 0x{witnessKey.SignatureType:x2}; a witness's cosigning key has type 0x04");
                    if (!publicKeys.Add(Convert.ToBase64String(witnessKey.PublicKey))) throw Fault(number, "this key is listed twice");
                    witnesses.Add((name, witnessKey));
                    members[name] = new Member.Witness(name);
                    break;
                case "group":
                    if (fields.Length < 4) throw Fault(number, "a group line is 'group <name> all|any|<k> <name>…'");
                    var group = fields[1];
                    if (group == "none" || members.ContainsKey(group)) throw Fault(number, $"the name {group} is taken");
                    var parts = new List<Member>();
                    foreach (var part in fields[3..])
                    {
                        if (!members.TryGetValue(part, out var member)) throw Fault(number, $"{part} is not a witness or group defined above");
                        if (parts.Contains(member)) throw Fault(number, $"{part} is listed twice in the group");
                        parts.Add(member);
                    }
                    var threshold = Threshold(number, fields[2], parts.Count);
                    members[group] = new Member.Group(group, threshold, parts);
                    break;
                case "quorum":
                    if (fields.Length != 2) throw Fault(number, "a quorum line is 'quorum <name>', 'quorum none' or 'quorum <k>'");
                    if (quorum is not null) throw Fault(number, "a policy has one quorum line");
                    var q = fields[1];
                    if (q == "none")
                    {
                        quorum = Member.None.Instance;
                        quorumText = "none";
                    }
                    else if (members.TryGetValue(q, out var named))
                    {
                        quorum = named;
                        quorumText = named.Describe();
                    }
                    else if (q.All(char.IsAsciiDigit))
                    {
                        var all = witnesses.Select(w => (Member)new Member.Witness(w.Item1)).ToList();
                        if (all.Count == 0) throw Fault(number, "'quorum K' counts the witnesses listed above, and none is");
                        var k = Threshold(number, q, all.Count);
                        quorum = new Member.Group("quorum", k, all);
                        quorumText = quorum.Describe();
                    }
                    else throw Fault(number, $"{q} is not a witness or group defined above, 'none' or a number");
                    break;
                default:
                    throw Fault(number, $"'{fields[0]}' is not a policy line (log, witness, group, quorum)");
            }
        }
        if (logs.Count == 0) throw new FormatException("the policy names no log: add 'log <the ledger's verifier key>'");
        if (quorum is null) throw new FormatException("the policy has no quorum line: add 'quorum <k>', 'quorum <name>' or 'quorum none'");
        return new TrustPolicy(logs, witnesses, members, quorum, quorumText);
    }

    /// <summary>Reads the policy file at <paramref name="path"/>; <see cref="FormatException"/> or <see cref="IOException"/> say what is wrong.</summary>
    public static TrustPolicy Load(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new IOException($"no policy file at {path}");
        if (info.Length > MaxBytes) throw new IOException($"{path} is larger than {MaxBytes / 1024} KiB; a policy is a few lines");
        return Parse(File.ReadAllText(path));
    }

    /// <summary>What a checkpoint was found to be worth under this policy.</summary>
    /// <summary>What a checkpoint was found to be worth: the log whose signature holds (null when none does) and the witnesses that cosigned it.</summary>
    public sealed record Verdict(bool Valid, string Reason, Checkpoint? Checkpoint, IReadOnlyList<string> Cosigners, NoteVerifierKey? Log = null);

    /// <summary>
    /// Checks <paramref name="signedNote"/>: a valid signature by one of the logs, and cosignatures of the same
    /// body by enough distinct witnesses. A cosignature line by a listed witness that fails makes the note invalid.
    /// Never throws on hostile input.
    /// </summary>
    public Verdict Verify(string? signedNote)
    {
        Checkpoint? checkpoint = null;
        NoteVerifierKey? signer = null;
        var reasons = new List<string>();
        foreach (var log in Logs)
        {
            var (valid, reason, parsed) = CheckpointVerifier.Verify(signedNote ?? "", log);
            if (valid)
            {
                (checkpoint, signer) = (parsed, log);
                break;
            }
            reasons.Add(reason);
        }
        if (checkpoint is null)
            return new Verdict(false, reasons.Count == 1 ? reasons[0] : "no log of the policy signed it: " + string.Join("; ", reasons), null, []);

        var cosigned = new List<string>();
        foreach (var (name, key) in Witnesses)
        {
            var (valid, reason, _) = Cosignature.Verify(signedNote, key);
            if (valid)
                cosigned.Add(name);
            else if (!reason.StartsWith("no cosignature", StringComparison.Ordinal))
                return new Verdict(false, $"witness {name}: {reason}", checkpoint, cosigned, signer);
        }
        var met = _quorum.IsMet(cosigned, _members);
        var by = cosigned.Count == 0 ? "no trusted witness cosigned it" : "cosigned by " + string.Join(", ", cosigned);
        return met
            ? new Verdict(true, RequiresWitnesses ? $"{by}; quorum {QuorumText} met" : "signed by the log (the policy asks no witness)", checkpoint, cosigned, signer)
            : new Verdict(false, $"{by}; the quorum is {QuorumText}", checkpoint, cosigned, signer);
    }

    /// <summary>The log's signature alone, by any of the policy's logs: what a checkpoint the ledger stores carries before its witnesses answer.</summary>
    public Verdict VerifyLogSignature(string? signedNote)
    {
        var reasons = new List<string>();
        foreach (var log in Logs)
        {
            var (valid, reason, parsed) = CheckpointVerifier.Verify(signedNote ?? "", log);
            if (valid) return new Verdict(true, "signed by the log", parsed, [], log);
            reasons.Add(reason);
        }
        return new Verdict(false, string.Join("; ", reasons), null, []);
    }

    private static NoteVerifierKey Key(int line, string text) =>
        NoteVerifierKey.TryParse(text, out var key, out var reason) ? key : throw Fault(line, reason);

    private static int Threshold(int line, string text, int count)
    {
        if (text == "all") return count;
        if (text == "any") return 1;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var k) || text.Length > 1 && text[0] == '0')
            throw Fault(line, $"'{text}' is not all, any or a number");
        if (k < 1 || k > count) throw Fault(line, $"a threshold of {k} is not between 1 and {count}, the members named");
        return k;
    }

    private static FormatException Fault(int line, string message) => new($"policy line {line}: {message}");

    private abstract record Member
    {
        public abstract bool IsMet(IReadOnlyCollection<string> cosigned, IReadOnlyDictionary<string, Member> members);

        public abstract string Describe();

        public sealed record None : Member
        {
            public static readonly None Instance = new();

            public override bool IsMet(IReadOnlyCollection<string> cosigned, IReadOnlyDictionary<string, Member> members) => true;

            public override string Describe() => "none";
        }

        public sealed record Witness(string Name) : Member
        {
            public override bool IsMet(IReadOnlyCollection<string> cosigned, IReadOnlyDictionary<string, Member> members) => cosigned.Contains(Name);

            public override string Describe() => Name;
        }

        public sealed record Group(string Name, int Threshold, IReadOnlyList<Member> Parts) : Member
        {
            public override bool IsMet(IReadOnlyCollection<string> cosigned, IReadOnlyDictionary<string, Member> members) =>
                Parts.Count(p => p.IsMet(cosigned, members)) >= Threshold;

            public override string Describe() => $"{Threshold} of {string.Join(", ", Parts.Select(p => p.Describe()))}";
        }
    }
}
