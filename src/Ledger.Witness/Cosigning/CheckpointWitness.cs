using System.Diagnostics;
using System.Globalization;
using Ledger.Integrity.Checkpoints;

namespace Ledger.Witness.Cosigning;

/// <summary>An HTTP answer: status, body, content type.</summary>
internal sealed record Answer(int Status, string Body, string ContentType = Answer.PlainText)
{
    public const string PlainText = "text/plain; charset=utf-8";

    /// <summary>tlog-witness: the content type of a 409's body, the size the witness holds.</summary>
    public const string TreeSize = "text/x.tlog.size";
}

/// <summary>
/// A witness (C2SP tlog-witness add-checkpoint, Ed25519 cosignature/v1): verifies a submitted checkpoint against
/// the log keys it trusts and against the checkpoint it cosigned last for that log, and cosigns it only when it
/// extends that one. The check and the update of its state are one transaction, committed before it answers.
/// </summary>
internal sealed class CheckpointWitness(TrustedLogs logs, WitnessState state, Cosigner cosigner, TimeProvider time, ILogger<CheckpointWitness> log, WitnessFault fault)
{
    public Cosigner Cosigner => cosigner;

    public TrustedLogs Logs => logs;

    public WitnessState State => state;

    public Answer Submit(string body, string client)
    {
        var (request, problem) = AddCheckpointRequest.Parse(body);
        if (request is null)
            return Refuse(400, client, "?", problem);
        var checkpoint = request.Checkpoint;
        if (!logs.Knows(checkpoint.Origin))
            return Refuse(404, client, checkpoint.Origin, "unknown origin: this witness does not witness that log");
        var (verified, why) = logs.Verify(checkpoint);
        if (verified is null)
            return Refuse(403, client, checkpoint.Origin, why);
        if (request.OldSize > checkpoint.Size)
            return Refuse(400, client, checkpoint.Origin, $"old size {request.OldSize} is above the checkpoint's size {checkpoint.Size}");

        using var transaction = state.BeginSubmission();
        var held = transaction.Held(checkpoint.Origin);
        var now = time.GetUtcNow();
        switch (Witnessing.Decide(request, held))
        {
            case Verdict.Cosign:
            {
                var cosignature = cosigner.Cosign(checkpoint.Text, now);
                // What the monitoring endpoint serves: the body, the log signatures this witness verified, its cosignature.
                var note = checkpoint.Text + "\n" + string.Concat(verified) + cosignature;
                transaction.Advance(held, checkpoint, note, now);
                transaction.Commit();
                fault.AfterPersist();
                log.LogInformation("cosigned {Origin} at size {Size} (held {Held}) for {Client}", checkpoint.Origin, checkpoint.Size, held?.Size ?? 0, client);
                return new Answer(200, cosignature);
            }
            case Verdict.Conflict conflict:
                if (conflict.Evidence is { } evidence)
                {
                    transaction.Refuse(request, conflict.HeldSize, evidence, body, now);
                    transaction.Commit();
                    log.LogWarning("409 to {Client} for {Origin}, recorded as evidence: {Evidence}", client, checkpoint.Origin, evidence);
                }
                else
                {
                    log.LogInformation("409 to {Client} for {Origin}: old {Old}, held {Held}", client, checkpoint.Origin, request.OldSize, conflict.HeldSize);
                }
                return new Answer(409, conflict.HeldSize.ToString(CultureInfo.InvariantCulture) + "\n", Answer.TreeSize);
            case Verdict.Inconsistent inconsistent:
                transaction.Refuse(request, held?.Size ?? 0, inconsistent.Reason, body, now);
                transaction.Commit();
                return Refuse(422, client, checkpoint.Origin, inconsistent.Reason + " (recorded)");
            default:
                throw new UnreachableException();
        }
    }

    /// <summary>Logs a refusal in one short line (hostile bodies may be evidence) and answers with its reason.</summary>
    private Answer Refuse(int status, string client, string origin, string reason)
    {
        var level = status is 403 or 422 ? LogLevel.Warning : LogLevel.Information;
        log.Log(level, "{Status} to {Client} for {Origin}: {Reason}", status, client, Shorten(origin), Shorten(reason));
        return new Answer(status, reason + "\n");
    }

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";
}

/// <summary>
/// A fault hook for tests, off unless <c>LEDGER_WITNESS_FAULT=exit-after-persist</c>: the process kills itself
/// right after committing a cosigned checkpoint and before answering, so a test can show that a witness that
/// dies there keeps the state it committed (and the client learns it from a 409).
/// </summary>
internal sealed class WitnessFault(string? mode)
{
    public const string EnvironmentVariable = "LEDGER_WITNESS_FAULT";
    public const string ExitAfterPersist = "exit-after-persist";

    public bool Enabled => mode == ExitAfterPersist;

    public static WitnessFault FromEnvironment()
    {
        var mode = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(mode) && mode != ExitAfterPersist)
            throw new WitnessFailure($"{EnvironmentVariable}='{mode}' is not a fault this witness knows (only {ExitAfterPersist})", 2);
        return new WitnessFault(mode);
    }

    public void AfterPersist()
    {
        if (!Enabled)
            return;
        Console.Error.WriteLine($"witness: {EnvironmentVariable}={ExitAfterPersist}: killing myself after the commit, before the answer");
        using var self = Process.GetCurrentProcess();
        self.Kill();
    }
}
