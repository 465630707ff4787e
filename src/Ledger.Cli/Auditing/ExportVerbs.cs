using System.CommandLine;
using System.Globalization;
using Ledger.Infrastructure;
using Ledger.Infrastructure.Audit;
using Ledger.Infrastructure.Identity;
using Ledger.Infrastructure.Integrity;
using Ledger.Infrastructure.Store;
using Npgsql;

namespace Ledger.Cli.Auditing;

/// <summary>
/// <c>ledger export</c> writes an audit bundle an auditor can take away; <c>ledger export verify</c>
/// checks one offline, with no database, against the ledger's key the auditor passes: a bundle never
/// vouches for itself.
/// </summary>
public static class ExportVerbs
{
    public static Command Export()
    {
        var commitment = new Option<string?>("--commitment") { Description = "one commitment's events" };
        var agreement = new Option<string?>("--agreement") { Description = "an agreement's events and those of its commitments" };
        var government = new Option<string?>("--government") { Description = "a government's events and those of every commitment it leads or contributes to" };
        var all = new Option<bool>("--all") { Description = "every event in the ledger" };
        var from = new Option<string?>("--from") { Description = "only events at or after this time (ISO 8601, e.g. 2023-01-01T00:00:00+08:00)" };
        var to = new Option<string?>("--to") { Description = "only events at or before this time" };
        var output = new Option<DirectoryInfo?>("--out") { Description = "the bundle folder to create (must not exist, or be empty)" };
        var token = new Option<string?>("--token") { Description = "your ledger token (or LEDGER_TOKEN): the access log records the export under its actor; without one, under your operating-system account" };
        var command = new Command("export", "Write an audit bundle: the events with envelopes, their inclusion proofs, the signed checkpoint and a manifest.")
        {
            commitment, agreement, government, all, from, to, output, token,
        };
        command.Subcommands.Add(Verify());
        command.SetAction(async (parse, ct) =>
        {
            var chosen = new (string Name, string? Id, ExportScope Scope)[]
                {
                    ("--commitment", parse.GetValue(commitment), ExportScope.Commitment),
                    ("--agreement", parse.GetValue(agreement), ExportScope.Agreement),
                    ("--government", parse.GetValue(government), ExportScope.Government),
                    ("--all", parse.GetValue(all) ? "" : null, ExportScope.All),
                }
                .Where(x => x.Id is not null).ToList();
            if (chosen.Count != 1)
                throw new CliFailure("name exactly one of --commitment ID, --agreement ID, --government ID or --all", 2);
            if (chosen[0].Scope != ExportScope.All && string.IsNullOrWhiteSpace(chosen[0].Id))
                throw new CliFailure($"{chosen[0].Name} needs an id", 2);
            var target = parse.GetValue(output) ?? throw new CliFailure("--out DIR is required: the folder to write the bundle into", 2);
            var selection = new ExportSelection(chosen[0].Scope, chosen[0].Scope == ExportScope.All ? null : chosen[0].Id,
                Time(parse.GetValue(from), "--from"), Time(parse.GetValue(to), "--to"));

            var (settings, keys) = Load();
            await using var db = NpgsqlDataSource.Create(settings.ConnectionString);
            var integrity = new LedgerIntegrity(db, settings.Schema, keys.CreateSigner(), TimeProvider.System, new MerkleIntegrator(db, settings.Schema));
            var access = new ExportAccess(new AccessLog(db, settings.Schema, TimeProvider.System),
                await Actor(parse.GetValue(token) ?? Environment.GetEnvironmentVariable("LEDGER_TOKEN"), settings), Guid.CreateVersion7().ToString());
            using var witnesses = new WitnessCosigning(ConfiguredWitnesses(), integrity, TimeProvider.System,
                ValidatedSettings.Read<IntegrityOptions, IntegrityOptionsValidator>(Verbs.Configuration(), IntegrityOptions.Section).WitnessTimeout, Microsoft.Extensions.Logging.Abstractions.NullLogger<WitnessCosigning>.Instance);
            try
            {
                var outcome = await Progress.RunAsync("export", report => new AuditExporter(db, integrity, TimeProvider.System, witnesses).WriteAsync(
                    selection, target.FullName, (done, of) => report((int)Math.Min(done, int.MaxValue), (int)Math.Min(of, int.MaxValue)), ct, access));
                Console.WriteLine($"exported {outcome.Events} events from {outcome.Streams} streams to {outcome.Directory}, proved in the checkpoint of tree size {outcome.TreeSize}");
                if (outcome.LeftOutAfterCheckpoint > 0)
                    Console.Error.WriteLine($"ledger: {outcome.LeftOutAfterCheckpoint} selected events committed after the checkpoint were left out; export again to include them");
                return 0;
            }
            catch (AuditBundleException ex)
            {
                throw new CliFailure(ex.Message, ex.BadInput ? 2 : 1);
            }
            catch (NpgsqlException ex)
            {
                throw new CliFailure($"cannot read the ledger's database ({ex.Message}); is PostgreSQL running? ./ops/ledger up starts the private cluster");
            }
        });
        return command;
    }

    private static Command Verify()
    {
        var bundle = new Argument<string>("BUNDLE") { Description = "the bundle: its folder, or the .zip the console downloads" };
        var trust = new Proofs.TrustOptions();
        trust.Key.Description = "the ledger's checkpoint verifier key, as GET /api/integrity/public-key answers it (this or --policy is required; the manifest's key is only compared with it)";
        var command = new Command("verify", "Check a bundle (its folder or its .zip) offline against the ledger's key or a trust policy: file hashes, every event's leaf hash and proof, the checkpoint's signature (and its witnesses' quorum, with --policy), every version of each stream's stated range, events.csv and commitments.csv recomputed, the manifest's signature.")
        {
            bundle,
        };
        trust.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            // The manifest names a key, but whoever wrote the bundle wrote that too: a forgery re-signed
            // with the forger's key would verify against it.
            var trusted = trust.Resolve(parse)
                ?? throw new CliFailure(
                    "a bundle cannot vouch for itself: pass the ledger's verifier key, e.g. --key \"$(curl -s http://127.0.0.1:5080/api/integrity/public-key)\", or a trust policy, --policy FILE", 1);
            var result = await AuditBundleVerifier.VerifyAsync(Path.GetFullPath(parse.GetValue(bundle)!), trusted, ct);
            if (result.Status == 0)
            {
                Console.WriteLine(result.Message);
                return 0;
            }
            throw new CliFailure(result.Status == 1 ? "INVALID: " + result.Message : result.Message, result.Status);
        });
        return command;
    }

    private static IReadOnlyList<WitnessEndpoint> ConfiguredWitnesses()
    {
        try
        {
            return WitnessSettings.From(Verbs.Configuration());
        }
        catch (InvalidOperationException ex)
        {
            throw new CliFailure(ex.Message, 2);
        }
    }

    private static async Task<AccessActor> Actor(string? token, LedgerSettings settings)
    {
        if (string.IsNullOrWhiteSpace(token)) return AccessLogActors.OperatingSystemAccount();
        try
        {
            return await AccessLogActors.FromTokenAsync(token.Trim(), TokenSettings.From(Verbs.Configuration(), settings.DataDirectory), TimeProvider.System);
        }
        catch (ArgumentException ex)
        {
            throw new CliFailure($"--token: {ex.Message}", 2);
        }
    }

    private static DateTimeOffset? Time(string? raw, string option)
    {
        if (string.IsNullOrWhiteSpace(raw)) return null;
        if (!DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
            throw new CliFailure($"{option} '{raw}' is not an ISO 8601 time like 2023-06-30T23:59:59+08:00", 2);
        return time;
    }

    private static (LedgerSettings, IntegritySettings) Load() => IntegrityVerbs.Load();
}
