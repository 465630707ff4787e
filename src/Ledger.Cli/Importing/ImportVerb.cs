using System.CommandLine;
using System.Diagnostics;
using Ledger.Infrastructure.Import;
using Ledger.Infrastructure.Store;
using Npgsql;

namespace Ledger.Cli.Importing;

/// <summary>
/// <c>ledger import &lt;file&gt;</c>: adds whole new streams from a JSON Lines file (the leaf layout, as an
/// audit bundle's events.jsonl holds it) in one transaction; see <see cref="LedgerImport"/>. A refused
/// file gets one line naming the line at fault and exit 2, and nothing is written.
/// </summary>
public static class ImportVerb
{
    public static Command Command()
    {
        var file = new Argument<FileInfo>("file") { Description = "JSON Lines, one event per line: stream, type, timestamp, actor, correlationId, causationId, data (version optional)" };
        var command = new Command("import", "Add whole new streams from a JSON Lines file in one transaction (checked first; all or nothing).") { file };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!.FullName;
            if (!File.Exists(path)) throw new CliFailure($"no file at {path}", 2);
            var settings = LedgerSettings.From(Verbs.Configuration());
            // As the schema's owner: an import is an operator's bulk load, as setup is (ops/docs/roles.md).
            await using var import = new LedgerImport(settings.OwnerConnectionString, settings.Schema, TimeProvider.System);
            var clock = Stopwatch.StartNew();
            try
            {
                var outcome = await Progress.RunAsync("import", report => import.ImportAsync(path, (done, of) => report(Clamp(done), Clamp(of)), ct));
                Console.WriteLine($"imported {outcome.Events} events in {outcome.Streams} streams in {clock.Elapsed.TotalSeconds:0.0} s "
                    + $"(checked in {outcome.Checking.TotalSeconds:0.0} s, appended in {outcome.Appending.TotalSeconds:0.0} s, records built in {outcome.Records.TotalSeconds:0.0} s)");
                if (outcome.AccountEventsLeftOut > 0)
                    Console.WriteLine($"left out {outcome.AccountEventsLeftOut} events of accounts: accounts are not imported (their passwords are never in events); open this ledger's own with ./ops/ledger user add");
            }
            catch (ImportRejected rejected)
            {
                throw new CliFailure(rejected.Message, 2);
            }
            catch (NpgsqlException ex)
            {
                throw new CliFailure($"cannot reach the ledger's database ({ex.Message}); is PostgreSQL running? ./ops/ledger up starts the private cluster");
            }
            return 0;
        });
        return command;
    }

    private static int Clamp(long value) => (int)Math.Min(value, int.MaxValue);
}
