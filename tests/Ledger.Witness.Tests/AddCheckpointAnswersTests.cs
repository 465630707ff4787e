using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ledger.Integrity.Checkpoints;
using Ledger.Integrity.Merkle;
using Ledger.Witness.Tests.Support;
using NSec.Cryptography;

namespace Ledger.Witness.Tests;

/// <summary>One witness process trusting a log per test (so that tests share it without sharing state).</summary>
public sealed class OneWitness : IAsyncLifetime
{
    public static readonly string[] Names =
        ["unsigned", "badsig", "extension", "malformed", "oldabove", "conflict", "badproof", "zeroproof", "sameroot", "emptyroot", "emptytree",
            "cosign", "extend", "monitor", "big", "rotating"];

    public WitnessSetup Setup { get; private set; } = null!;

    public WitnessProcess Witness { get; private set; } = null!;

    public Dictionary<string, TestLog> Logs { get; } = [];

    /// <summary>A second key the witness trusts for the "rotating" log: a log that signs with its new key alone.</summary>
    public CheckpointSigner RotatedKey { get; } = CheckpointSigner.Generate("log.test/rotating");

    public async Task InitializeAsync()
    {
        foreach (var name in Names)
            Logs[name] = new TestLog("log.test/" + name, leaves: 40);
        Setup = await WitnessSetup.CreateAsync();
        Witness = await Setup.StartAsync([.. Logs.Values.Select(l => l.LogArgument), $"log.test/rotating={RotatedKey.VerifierKey}"]);
    }

    public async Task DisposeAsync()
    {
        await Setup.DisposeAsync();
        foreach (var log in Logs.Values)
            log.Dispose();
        RotatedKey.Dispose();
    }
}

/// <summary>
/// POST /add-checkpoint answers exactly as C2SP tlog-witness says: 404, 403, 400, 409 (text/x.tlog.size), 422,
/// and 200 with a cosignature/v1 line that verifies — checked with the ledger's verifier and again by hand.
/// </summary>
public sealed class AddCheckpointAnswersTests(OneWitness fixture) : IClassFixture<OneWitness>
{
    private WitnessProcess Witness => fixture.Witness;

    private TestLog Log(string name) => fixture.Logs[name];

    [Fact]
    public async Task A_checkpoint_of_an_origin_the_witness_does_not_know_is_404()
    {
        using var stranger = new TestLog("log.test/stranger", leaves: 3);
        var answer = await Witness.AddCheckpointAsync(stranger.Request(0, 3));
        Assert.Equal(HttpStatusCode.NotFound, answer.Status);
    }

    [Fact]
    public async Task A_checkpoint_signed_only_by_a_key_not_trusted_for_its_origin_is_403()
    {
        var log = Log("unsigned");
        // Same origin and key name, another key: its key ID differs, so the signature is ignored and none is left.
        using var impostor = CheckpointSigner.Generate(log.Origin);
        var answer = await Witness.AddCheckpointAsync(TestLog.Body(0, [], impostor.Sign(log.Checkpoint(5))));
        Assert.Equal(HttpStatusCode.Forbidden, answer.Status);

        // The same checkpoint signed by the trusted key is cosigned: the 403 was about the key alone.
        Assert.Equal(HttpStatusCode.OK, (await Witness.AddCheckpointAsync(log.Request(0, 5))).Status);
    }

    [Fact]
    public async Task A_signature_line_by_the_trusted_key_that_does_not_verify_is_403_even_beside_a_valid_one()
    {
        var log = Log("badsig");
        var note = log.SignedCheckpoint(5);
        var tampered = Tamper(note);
        Assert.Equal(HttpStatusCode.Forbidden, (await Witness.AddCheckpointAsync(TestLog.Body(0, [], tampered))).Status);

        // A valid signature by the trusted key plus a failing one: signed-note says such a note is malformed.
        var body = note[..note.LastIndexOf("\n\n", StringComparison.Ordinal)];
        var both = note + tampered[(body.Length + 2)..];
        Assert.Equal(HttpStatusCode.Forbidden, (await Witness.AddCheckpointAsync(TestLog.Body(0, [], both))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Witness.LatestCheckpointAsync(log.Origin)).Status);
    }

    [Fact]
    public async Task Malformed_bodies_are_400()
    {
        var log = Log("malformed");
        var note = log.SignedCheckpoint(8);
        var proofLine = Convert.ToBase64String(new byte[32]) + "\n";
        string[] bodies =
        [
            "",
            "old 0\n",
            "old 0\n" + note, // no empty line before the checkpoint
            "old 00\n\n" + note,
            "old -1\n\n" + note,
            "old  0\n\n" + note,
            "new 0\n\n" + note,
            "old 0\r\n\r\n" + note,
            "old 0\nnot base64!\n\n" + note,
            "old 0\n" + Convert.ToBase64String(new byte[31]) + "\n\n" + note,
            "old 4\n" + string.Concat(Enumerable.Repeat(proofLine, 64)) + "\n" + note, // 64 proof lines
            "old 0\n\n" + note.Replace("\n8\n", "\n08\n", StringComparison.Ordinal),
            "old 0\n\n" + log.Checkpoint(8).Body(), // no signatures
            "old 0\n\n" + note.TrimEnd('\n'), // no final newline
        ];
        foreach (var body in bodies)
        {
            var answer = await Witness.AddCheckpointAsync(body);
            Assert.True(answer.Status == HttpStatusCode.BadRequest, $"{answer} for body:\n{body}");
        }
        using var notUtf8 = new ByteArrayContent([.. "old 0\n\n"u8, 0xff, 0xfe, .. Encoding.UTF8.GetBytes(note)]);
        Assert.Equal(HttpStatusCode.BadRequest, (await Witness.Http.PostAsync("add-checkpoint", notUtf8)).StatusCode);

        // None of them left a trace: the same checkpoint is still cosigned from old 0.
        Assert.Equal(HttpStatusCode.OK, (await Witness.AddCheckpointAsync(log.Request(0, 8))).Status);
    }

    [Fact]
    public async Task An_old_size_above_the_checkpoint_size_is_400()
    {
        var log = Log("oldabove");
        Assert.Equal(HttpStatusCode.OK, (await Witness.AddCheckpointAsync(log.Request(0, 10))).Status);
        var answer = await Witness.AddCheckpointAsync(TestLog.Body(10, [], log.SignedCheckpoint(6)));
        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains("above", answer.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_old_size_other_than_the_held_one_is_409_with_the_held_size_as_text_x_tlog_size()
    {
        var log = Log("conflict");
        // Never cosigned: the held size is 0.
        var never = await Witness.AddCheckpointAsync(log.Request(4, 9));
        Assert.Equal(HttpStatusCode.Conflict, never.Status);
        Assert.Equal("text/x.tlog.size", never.MediaType);
        Assert.Equal("0\n", never.Body);

        Assert.Equal(HttpStatusCode.OK, (await Witness.AddCheckpointAsync(log.Request(0, 9))).Status);
        foreach (var old in new long[] { 0, 4, 12 })
        {
            var answer = await Witness.AddCheckpointAsync(log.Request(old, 20));
            Assert.Equal(HttpStatusCode.Conflict, answer.Status);
            Assert.Equal("text/x.tlog.size", answer.MediaType);
            Assert.Equal("9\n", answer.Body);
        }
        // The client learns 9 and resubmits from it.
        Assert.Equal(HttpStatusCode.OK, (await Witness.AddCheckpointAsync(log.Request(9, 20))).Status);
    }

    [Fact]
    public async Task A_consistency_proof_that_does_not_verify_is_422_and_recorded()
    {
        var log = Log("badproof");
        Assert.Equal(HttpStatusCode.OK, (await Witness.AddCheckpointAsync(log.Request(0, 7))).Status);
        var proof = log.Proof(7, 19).Select(h => h.ToArray()).ToList();
        proof[^1][0] ^= 1;
        var answer = await Witness.AddCheckpointAsync(TestLog.Body(7, proof, log.SignedCheckpoint(19)));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.Status);
        // A proof for other sizes, and no proof at all, fail too.
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await Witness.AddCheckpointAsync(TestLog.Body(7, log.Proof(6, 19), log.SignedCheckpoint(19)))).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await Witness.AddCheckpointAsync(TestLog.Body(7, [], log.SignedCheckpoint(19)))).Status);

        var refused = fixture.Setup.Rows("SELECT old_size, size, held_size, reason FROM refused WHERE origin = $o ORDER BY id", ("$o", log.Origin));
        Assert.Equal(3, refused.Count);
        Assert.All(refused, r => Assert.Equal(19L, r["size"]));
        Assert.All(refused, r => Assert.Equal(7L, r["held_size"]));
        // Still held at 7: the correct proof is then accepted.
        Assert.Equal(HttpStatusCode.OK, (await Witness.AddCheckpointAsync(log.Request(7, 19))).Status);
    }

    [Fact]
    public async Task A_non_empty_proof_from_old_size_0_is_422()
    {
        var log = Log("zeroproof");
        var answer = await Witness.AddCheckpointAsync(TestLog.Body(0, log.Proof(4, 12), log.SignedCheckpoint(12)));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Witness.LatestCheckpointAsync(log.Origin)).Status);
    }

    [Fact]
    public async Task The_same_size_with_another_root_is_422_and_the_same_checkpoint_again_is_200()
    {
        var log = Log("sameroot");
        Assert.Equal(HttpStatusCode.OK, (await Witness.AddCheckpointAsync(log.Request(0, 11))).Status);
        var other = new Checkpoint(log.Origin, 11, log.Root(12));
        var answer = await Witness.AddCheckpointAsync(TestLog.Body(11, [], log.Signer.Sign(other)));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.Status);
        Assert.Single(fixture.Setup.Rows("SELECT id FROM refused WHERE origin = $o", ("$o", log.Origin)));

        var again = await Witness.AddCheckpointAsync(log.Request(11, 11));
        Assert.Equal(HttpStatusCode.OK, again.Status);
    }

    [Fact]
    public async Task A_checkpoint_of_size_0_whose_root_is_not_the_empty_trees_is_422()
    {
        var log = Log("emptyroot");
        var answer = await Witness.AddCheckpointAsync(TestLog.Body(0, [], log.Signer.Sign(new Checkpoint(log.Origin, 0, log.Root(1)))));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.Status);
    }

    [Fact]
    public async Task The_empty_tree_is_cosigned_and_then_extended_from_0()
    {
        var log = Log("emptytree");
        Assert.Equal(HttpStatusCode.OK, (await Witness.AddCheckpointAsync(TestLog.Body(0, [], log.Signer.Sign(new Checkpoint(log.Origin, 0, Rfc9162.EmptyRoot))))).Status);
        Assert.Equal(HttpStatusCode.OK, (await Witness.AddCheckpointAsync(log.Request(0, 3))).Status);
        Assert.Equal("3\n", (await Witness.AddCheckpointAsync(log.Request(0, 5))).Body);
    }

    [Fact]
    public async Task The_200_answer_is_a_cosignature_v1_line_that_verifies_with_the_ledgers_verifier_and_by_hand()
    {
        var log = Log("cosign");
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var answer = await Witness.AddCheckpointAsync(log.Request(0, 13));
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.EndsWith("\n", answer.Body, StringComparison.Ordinal);
        var line = Assert.Single(answer.Body.TrimEnd('\n').Split('\n'));

        // 1. The ledger's own verifier, given the witness's published key.
        var checkpoint = log.SignedCheckpoint(13);
        var (valid, reason, time) = Cosignature.Verify(checkpoint + line + "\n", fixture.Setup.Verifier);
        Assert.True(valid, reason);
        Assert.InRange(time!.Value.ToUnixTimeSeconds(), before - 1, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        // … and the log's signature is still there beside it.
        Assert.True(CheckpointVerifier.Verify(checkpoint + line + "\n", log.Signer.Verifier).Valid);

        // 2. By hand, from the verifier key text and the spec alone.
        var prefix = "\u2014 " + fixture.Setup.Name + " ";
        Assert.StartsWith(prefix, line, StringComparison.Ordinal);
        var blob = Convert.FromBase64String(line[prefix.Length..]);
        Assert.Equal(4 + 8 + 64, blob.Length);
        var vkey = fixture.Setup.Verifier.ToString(); // name+hex8+base64(0x04 ‖ key); the base64 may hold '+' itself
        Assert.Equal(fixture.Setup.Name, vkey[..vkey.IndexOf('+', StringComparison.Ordinal)]);
        var keyMaterial = Convert.FromBase64String(vkey[(vkey.IndexOf('+', fixture.Setup.Name.Length + 1) + 1)..]);
        Assert.Equal(0x04, keyMaterial[0]);
        var publicKey = keyMaterial[1..];
        var keyId = SHA256.HashData([.. Encoding.UTF8.GetBytes(fixture.Setup.Name), (byte)'\n', 0x04, .. publicKey])[..4];
        Assert.Equal(keyId, blob[..4]);
        var timestamp = BinaryPrimitives.ReadUInt64BigEndian(blob.AsSpan(4, 8));
        Assert.InRange((long)timestamp, before - 1, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        var body = log.Checkpoint(13).Body();
        var message = Encoding.UTF8.GetBytes($"cosignature/v1\ntime {timestamp}\n{body}");
        var key = PublicKey.Import(SignatureAlgorithm.Ed25519, publicKey, KeyBlobFormat.RawPublicKey);
        Assert.True(SignatureAlgorithm.Ed25519.Verify(key, message, blob.AsSpan(12)));
        // The check can fail: another timestamp, or another body, does not verify.
        Assert.False(SignatureAlgorithm.Ed25519.Verify(key, Encoding.UTF8.GetBytes($"cosignature/v1\ntime {timestamp + 1}\n{body}"), blob.AsSpan(12)));
        Assert.False(SignatureAlgorithm.Ed25519.Verify(key, Encoding.UTF8.GetBytes($"cosignature/v1\ntime {timestamp}\n{log.Checkpoint(12).Body()}"), blob.AsSpan(12)));
    }

    [Fact]
    public async Task Consistent_checkpoints_are_cosigned_one_after_another_from_the_held_size()
    {
        var log = Log("extend");
        long held = 0;
        foreach (var size in new long[] { 1, 2, 3, 4, 8, 13, 16, 17, 32, 40 })
        {
            var answer = await Witness.AddCheckpointAsync(log.Request(held, size));
            Assert.True(answer.Status == HttpStatusCode.OK, $"{held} → {size}: {answer}");
            Assert.True(Cosignature.Verify(log.SignedCheckpoint(size) + answer.Body, fixture.Setup.Verifier).Valid);
            held = size;
        }
        var history = fixture.Setup.Rows("SELECT old_size, size FROM cosigned WHERE origin = $o ORDER BY id", ("$o", log.Origin));
        Assert.Equal(new long[] { 0, 1, 2, 3, 4, 8, 13, 16, 17, 32 }, history.Select(r => (long)r["old_size"]));
        Assert.Equal(new long[] { 1, 2, 3, 4, 8, 13, 16, 17, 32, 40 }, history.Select(r => (long)r["size"]));
    }

    [Fact]
    public async Task Extension_lines_are_cosigned_as_part_of_the_body_and_an_empty_one_is_400()
    {
        var log = Log("extension");
        // tlog-checkpoint allows opaque, non-empty extension lines after the root; the ledger writes none, other logs may.
        var body = log.Checkpoint(4).Body() + "extension: one\n";
        var answer = await Witness.AddCheckpointAsync(TestLog.Body(0, [], SignByHand(log, body)));
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        var (valid, reason, _) = Cosignature.Verify(SignByHand(log, body) + answer.Body, fixture.Setup.Verifier);
        Assert.True(valid, reason);
        // The cosignature covers the extension line: the body without it does not verify.
        Assert.False(Cosignature.Verify(SignByHand(log, log.Checkpoint(4).Body()) + answer.Body, fixture.Setup.Verifier).Valid);

        var empty = await Witness.AddCheckpointAsync(TestLog.Body(4, [], SignByHand(log, body.Replace("extension: one\n", "\nmore\n", StringComparison.Ordinal))));
        Assert.Equal(HttpStatusCode.BadRequest, empty.Status);
    }

    /// <summary>A signed note of any text by the log's key, built from the signed-note spec (key ID ‖ Ed25519 signature).</summary>
    private static string SignByHand(TestLog log, string text)
    {
        using var key = Key.Import(SignatureAlgorithm.Ed25519, log.Seed, KeyBlobFormat.RawPrivateKey);
        var blob = new byte[4 + 64];
        BinaryPrimitives.WriteUInt32BigEndian(blob, log.Signer.KeyId);
        SignatureAlgorithm.Ed25519.Sign(key, Encoding.UTF8.GetBytes(text), blob.AsSpan(4));
        return text + "\n\u2014 " + log.Signer.KeyName + " " + Convert.ToBase64String(blob) + "\n";
    }

    [Fact]
    public async Task A_log_signing_with_a_second_trusted_key_is_cosigned()
    {
        var log = Log("rotating");
        var answer = await Witness.AddCheckpointAsync(TestLog.Body(0, [], fixture.RotatedKey.Sign(log.Checkpoint(6))));
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        var both = CheckpointSigner.SignWithAll(log.Checkpoint(9), [log.Signer, fixture.RotatedKey]);
        Assert.Equal(HttpStatusCode.OK, (await Witness.AddCheckpointAsync(TestLog.Body(6, log.Proof(6, 9), both))).Status);
    }

    [Fact]
    public async Task The_monitoring_api_serves_the_latest_cosigned_checkpoint_with_the_log_signature_and_the_cosignature()
    {
        var log = Log("monitor");
        Assert.Equal(HttpStatusCode.NotFound, (await Witness.LatestCheckpointAsync(log.Origin)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Witness.LatestCheckpointAsync("log.test/stranger")).Status);

        Assert.Equal(HttpStatusCode.OK, (await Witness.AddCheckpointAsync(log.Request(0, 10))).Status);
        Assert.Equal(HttpStatusCode.OK, (await Witness.AddCheckpointAsync(log.Request(10, 21))).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await Witness.AddCheckpointAsync(log.Request(0, 30))).Status);

        var latest = await Witness.LatestCheckpointAsync(log.Origin);
        Assert.Equal(HttpStatusCode.OK, latest.Status);
        var (valid, reason, checkpoint) = CheckpointVerifier.Verify(latest.Body, log.Signer.Verifier);
        Assert.True(valid, reason);
        Assert.Equal(log.Checkpoint(21), checkpoint);
        Assert.True(Cosignature.Verify(latest.Body, fixture.Setup.Verifier).Valid);

        using var overview = JsonDocument.Parse((await Witness.GetAsync("")).Body);
        Assert.Equal(fixture.Setup.Verifier.ToString(), overview.RootElement.GetProperty("verifierKey").GetString());
        var entry = overview.RootElement.GetProperty("logs").EnumerateArray().Single(l => l.GetProperty("origin").GetString() == log.Origin);
        Assert.Equal(21, entry.GetProperty("size").GetInt64());
    }

    [Fact]
    public async Task A_body_over_64_KiB_is_refused_unread()
    {
        var log = Log("big");
        var answer = await Witness.AddCheckpointAsync(log.Request(0, 5) + new string('x', 70 * 1024));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, answer.Status);
        Assert.Equal(HttpStatusCode.OK, (await Witness.AddCheckpointAsync(log.Request(0, 5))).Status);
    }

    /// <summary>The note with one bit of its (only) signature flipped: same key name and ID, a signature that fails.</summary>
    private static string Tamper(string note)
    {
        var start = note.LastIndexOf(' ') + 1;
        var blob = Convert.FromBase64String(note[start..].TrimEnd('\n'));
        blob[^1] ^= 1;
        return note[..start] + Convert.ToBase64String(blob) + "\n";
    }
}
