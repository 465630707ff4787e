using System.CommandLine;
using Ledger.Infrastructure.Integrity;
using Ledger.Infrastructure.Store;
using Ledger.Integrity.Checkpoints;
using Npgsql;

namespace Ledger.Cli.Auditing;

/// <summary>The auditor's verbs against a ledger's database: verify the whole log, sign a checkpoint.</summary>
public static class IntegrityVerbs
{
    public static Command Verify()
    {
        var against = new Option<FileInfo?>("--against") { Description = "a checkpoint you kept earlier (signed note text): prove nothing before it changed" };
        var trust = new Proofs.TrustOptions();
        trust.Key.Description = "the verifier key to trust (default: this ledger's own key, read from its configuration)";
        var command = new Command("verify",
            "Recompute every leaf and the tree from the stored events and compare them with the signed checkpoints; " +
            "with --against, with a checkpoint you kept (checked with --key, or with --policy and its witnesses' quorum).") { against };
        trust.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var (settings, integrity) = Load();
            string? kept = null;
            if (parse.GetValue(against) is { } file)
            {
                if (!file.Exists) throw new CliFailure($"no checkpoint file at {file.FullName}", 2);
                kept = await File.ReadAllTextAsync(file.FullName, ct);
            }
            var policy = trust.Resolve(parse) ?? OwnKey(integrity);
            await using var db = NpgsqlDataSource.Create(settings.ConnectionString);
            var result = await Progress.RunAsync("verify", report => Database(() => new LedgerVerifier(db, settings.Schema).VerifyAsync(
                policy, kept, (done, of) => report((int)Math.Min(done, int.MaxValue), (int)Math.Min(of, int.MaxValue)), ct)));
            Console.WriteLine(result.Valid ? result.Message : (result.CheckpointRefused ? "NOT VERIFIED: " : "TAMPERED: ") + result.Message);
            return result.Valid ? 0 : 1;
        });
        return command;
    }

    public static Command Checkpoint()
    {
        var output = new Option<FileInfo?>("--out") { Description = "also write the signed checkpoint to this file (to keep)" };
        var command = new Command("checkpoint", "Bring the Merkle log up to date and sign a checkpoint of it now; prints the signed note.") { output };
        command.SetAction(async (parse, ct) =>
        {
            var (settings, integrity) = Load();
            await using var db = NpgsqlDataSource.Create(settings.ConnectionString);
            var ledger = new LedgerIntegrity(db, settings.Schema, integrity.CreateSigner(), TimeProvider.System, new MerkleIntegrator(db, settings.Schema));
            var checkpoint = await Database(async () =>
            {
                await ledger.EnsureSchemaAsync(ct);
                return await ledger.CheckpointAsync(ct);
            }) ?? throw new CliFailure("the ledger holds no events yet; there is nothing to sign");
            if (parse.GetValue(output) is { } file) await File.WriteAllTextAsync(file.FullName, checkpoint.SignedNote, ct);
            Console.Write(checkpoint.SignedNote);
            return 0;
        });
        return command;
    }

    private static TrustPolicy OwnKey(IntegritySettings integrity)
    {
        using var signer = integrity.CreateSigner();
        return TrustPolicy.ForLogKey(signer.Verifier);
    }

    internal static (LedgerSettings, IntegritySettings) Load()
    {
        var configuration = Verbs.Configuration();
        var settings = LedgerSettings.From(configuration);
        return (settings, IntegritySettings.From(configuration, settings.DataDirectory));
    }

    private static async Task<T> Database<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (NpgsqlException ex)
        {
            throw new CliFailure($"cannot read the ledger's database ({ex.Message}); is PostgreSQL running? ./ops/ledger up starts the private cluster");
        }
    }
}
