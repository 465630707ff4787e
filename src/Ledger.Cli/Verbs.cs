using System.CommandLine;
using System.Globalization;
using Ledger.Cli.Projections;
using Ledger.Cli.Scenario;
using Ledger.Infrastructure.Identity;
using Ledger.Infrastructure.Store;
using Ledger.Projections.Supervision;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Ledger.Cli;

public static class Verbs
{
    public static IEnumerable<Command> All()
    {
        yield return Setup();
        yield return Seed();
        yield return Reset();
        yield return Token();
        yield return Tour();
        yield return Proofs.ProofVerbs.Command();
        yield return Auditing.IntegrityVerbs.Verify();
        yield return Auditing.IntegrityVerbs.Checkpoint();
        yield return Auditing.ExportVerbs.Export();
        yield return Projections.RebuildVerb.Command();
        yield return Importing.ImportVerb.Command();
        yield return Accounts.UserVerbs.Command();
        yield return DatabaseRoles.RoleVerbs.Command();
        yield return Zones.ZoneVerbs.Command();
    }

    /// <summary>The tool's configuration: appsettings.json beside it, then the environment.</summary>
    internal static IConfiguration Configuration() => new ConfigurationBuilder()
        .SetBasePath(AppContext.BaseDirectory)
        .AddJsonFile("appsettings.json", optional: true)
        .AddEnvironmentVariables()
        .Build();

    private static Command Setup()
    {
        var loadDay = LoadDayOption();
        var demo = DemoOption();
        var command = new Command("setup",
            "Apply the schema and load the pilot-zone scenario (once; a second run adds nothing). Into a configured database the scenario goes only with --demo.")
        {
            loadDay,
            demo,
        };
        command.SetAction(async (parse, ct) =>
        {
            var day = ParseLoadDay(parse.GetValue(loadDay));
            var settings = LedgerSettings.From(Configuration());
            await ApplySchemaAsync(settings, ct);
            await UpgradeReadModelsAsync(settings, ct);
            if (!settings.IsEmbedded && !parse.GetValue(demo))
            {
                // A configured connection string is a real ledger's (or about to be): its history starts
                // with what its users record, never with made-up pilot-zone events it can never delete.
                Console.WriteLine($"schema '{settings.Schema}' applied in {Where(settings)}; the demo scenario is not loaded into a configured database " +
                    "(./ops/ledger up --demo or setup --demo loads it)");
                return 0;
            }
            await LoadScenarioAsync(ScenarioFile.DefaultPath, day, ct);
            return 0;
        });
        return command;
    }

    private static Command Seed()
    {
        var file = new Option<FileInfo?>("--file") { Description = "a scenario file (default: the pilot-zone scenario)" };
        var loadDay = LoadDayOption();
        var demo = DemoOption();
        var command = new Command("seed", "Load a scenario through the ledger's own commands (into a configured database only with --demo).") { file, loadDay, demo };
        command.SetAction(async (parse, ct) =>
        {
            var day = ParseLoadDay(parse.GetValue(loadDay));
            var path = parse.GetValue(file)?.FullName ?? ScenarioFile.DefaultPath;
            if (!File.Exists(path)) throw new CliFailure($"no scenario file at {path}", 2);
            var settings = LedgerSettings.From(Configuration());
            if (!settings.IsEmbedded && !parse.GetValue(demo))
                throw new CliFailure($"seed loads a demo scenario, and the ledger's connection string is configured ({Where(settings)}): add --demo to load it there", 2);
            await LoadScenarioAsync(path, day, ct);
            return 0;
        });
        return command;
    }

    private static Option<bool> DemoOption() => new("--demo")
    {
        Description = "load the scenario into the database a configured connection string names too (the private cluster gets it without asking)",
    };

    /// <summary>Where the ledger's connection goes, for a message: database, host and port, and whose it is.</summary>
    internal static string Where(LedgerSettings settings)
    {
        var connection = new NpgsqlConnectionStringBuilder(settings.ConnectionString);
        // A multi-host string (a Patroni cluster's members) names each member's port itself.
        var hosts = connection.Host?.Contains(',', StringComparison.Ordinal) == true ? connection.Host : $"{connection.Host}:{connection.Port}";
        var place = $"database '{connection.Database}' on {hosts}";
        return settings.IsEmbedded ? $"{place} (the private cluster)" : $"{place} (a configured connection string)";
    }

    // As the owner: Marten's schema, the ledger's own tables and guards, then the application's
    // privileges where it connects as another role (LedgerSchema). The scenario, if any, is then
    // loaded as the application, through its own commands.
    private static async Task ApplySchemaAsync(LedgerSettings settings, CancellationToken ct)
    {
        var owner = new NpgsqlConnectionStringBuilder(settings.OwnerConnectionString).Username;
        string? granted;
        try
        {
            // The zone and its log's origin go into the database with the schema (Zones/ZoneIdentity).
            var origin = Ledger.Infrastructure.Integrity.IntegritySettings.From(Configuration(), settings.DataDirectory).Origin;
            granted = await LedgerSchema.ApplyAsync(settings, ct, origin);
        }
        catch (NpgsqlException ex)
        {
            throw new CliFailure($"cannot apply the schema as '{owner}' ({ex.Message}); is PostgreSQL running? ./ops/ledger up starts the private cluster");
        }
        Console.WriteLine(granted is null
            ? $"schema '{settings.Schema}' applied as '{owner}', which the application connects as too: it could switch the append-only guards off (ops/docs/roles.md)"
            : $"schema '{settings.Schema}' applied as '{owner}'; the application's role '{granted}' may read and append, never rewrite (ops/docs/roles.md)");
    }

    // Documents of an older shape (before the stored lifecycle, or before reports were documents of their
    // own) are rewritten from the events, so the next event folds onto the current shape (ReadModelUpgrade).
    private static async Task UpgradeReadModelsAsync(LedgerSettings settings, CancellationToken ct)
    {
        await using var store = LedgerStore.Create(settings.OwnerConnectionString, settings.Schema, TimeProvider.System);
        var stale = await ReadModelUpgrade.FindAsync(store, settings.Schema, ct);
        if (!stale.Any) return;
        Console.WriteLine($"{stale.Records} commitment records and {stale.Standings} supervision standings are of an older shape: rewriting them from the events");
        if (stale.Records > 0) await RebuildVerb.RebuildRecordsAsync(store, settings.Schema, staleOnly: true, ct);
        if (stale.Standings > 0) await RebuildVerb.RebuildAsync(store, settings.Schema, SupervisionProjection.Name, ct);
    }

    private static Option<string?> LoadDayOption() => new("--load-day")
    {
        Description = "the day (yyyy-MM-dd, at UTC+8) a first load lays the scenario out for (default: today); a ledger already loaded keeps its own",
    };

    private static DateOnly ParseLoadDay(string? value)
    {
        var today = ScenarioLayout.ZoneDate(DateTimeOffset.UtcNow);
        if (value is null) return today;
        if (!DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            throw new CliFailure($"--load-day must be a date as yyyy-MM-dd, not '{value}'", 2);
        if (day > today)
            throw new CliFailure($"--load-day {value} is after today ({today:yyyy-MM-dd}): a ledger records nothing in the future", 2);
        return day;
    }

    private static async Task LoadScenarioAsync(string path, DateOnly loadDay, CancellationToken ct)
    {
        ScenarioFile scenario;
        try
        {
            scenario = ScenarioFile.Load(path);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidDataException or IOException)
        {
            throw new CliFailure($"cannot read the scenario: {ex.Message}", 2);
        }
        try
        {
            var outcome = await Progress.RunAsync("scenario", report => new ScenarioLoader([]).LoadAsync(scenario, loadDay, report, ct));
            var laidOut = outcome.Years == 0 ? "its dates as written" : $"its dates moved by {outcome.Years:+0;-0} years";
            Console.WriteLine($"scenario '{scenario.Name}' laid out for {outcome.LoadDay:yyyy-MM-dd} ({laidOut}): {outcome.Appended} steps appended, " +
                $"{outcome.AlreadyLoaded} already in the ledger, {outcome.Notices} clock notices appended");
            // The pilot zone's demo accounts go with the pilot zone's demo scenario, and only with it.
            if (scenario.Name == DemoScenario)
            {
                await using var tool = await Accounts.AccountTool.OpenAsync(ct);
                var opened = await DemoAccounts.OpenMissingAsync(tool.Book, tool.Context, ct);
                Console.WriteLine($"demo accounts: {opened} opened, {DemoAccounts.All.Count - opened} there already (./ops/ledger tour lists them)");
            }
        }
        catch (InvalidOperationException ex)
        {
            throw new CliFailure(ex.Message);
        }
        catch (NpgsqlException ex)
        {
            throw new CliFailure($"cannot reach PostgreSQL ({ex.Message}); is it running? ./ops/ledger up starts the private cluster");
        }
    }

    private const string DemoScenario = "pilot-zone";

    private static Command Reset()
    {
        var yes = new Option<bool>("--yes") { Description = "really drop it" };
        var configured = new Option<bool>("--configured-database")
        {
            Description = "drop it in the database a configured connection string names (without it, reset drops only the private cluster's)",
        };
        var command = new Command("reset",
            "Drop the ledger's schema: every event, view and key-free record in it (for a development ledger; the next `up` starts afresh).")
        {
            yes,
            configured,
        };
        command.SetAction(async (parse, ct) =>
        {
            var settings = LedgerSettings.From(Configuration());
            var where = Where(settings);
            if (!parse.GetValue(yes))
            {
                throw new CliFailure($"this drops schema '{settings.Schema}' in {where}, with every event in it; " +
                    $"run ./ops/ledger reset --yes{(settings.IsEmbedded ? "" : " --configured-database")} to do it", 2);
            }
            // A configured connection string may name a real ledger: --yes alone, typed for the private
            // cluster out of habit, must not drop its history.
            if (!settings.IsEmbedded && !parse.GetValue(configured))
            {
                throw new CliFailure($"reset drops only the private cluster's ledger, and schema '{settings.Schema}' is in {where}: " +
                    "add --configured-database to drop it there", 2);
            }
            Console.WriteLine($"dropping schema '{settings.Schema}' in {where}");
            try
            {
                // The owner's: the application's role owns nothing it could drop.
                await using var connection = new NpgsqlConnection(settings.OwnerConnectionString);
                await connection.OpenAsync(ct);
                await using var command = new NpgsqlCommand($"drop schema if exists \"{settings.Schema.Replace("\"", "\"\"", StringComparison.Ordinal)}\" cascade", connection);
                await command.ExecuteNonQueryAsync(ct);
            }
            catch (NpgsqlException ex)
            {
                throw new CliFailure($"cannot reach PostgreSQL ({ex.Message}); is it running? ./ops/ledger up starts the private cluster");
            }
            Console.WriteLine($"dropped schema '{settings.Schema}' in {where}");
            return 0;
        });
        return command;
    }

    private static Command Token()
    {
        var role = new Option<string>("--role") { Description = "government, supervisor, decision, auditor, admin or national", Required = true };
        var government = new Option<string?>("--government") { Description = "the division code a government token is bound to, e.g. 430181" };
        var ttl = new Option<string>("--ttl") { Description = "lifetime: 30m, 8h, 7d (default 8h)", DefaultValueFactory = _ => "8h" };
        var command = new Command("token", "Mint a bearer token with the local signing key, for this node's zone (Ledger:Zone).") { role, government, ttl };
        command.SetAction(parse =>
        {
            var configuration = Configuration();
            var settings = LedgerSettings.From(configuration);
            var tokens = TokenSettings.From(configuration, settings.DataDirectory);
            if (tokens.SigningKey is null)
                throw new CliFailure("tokens come from the configured OpenID Connect provider (Auth:Authority), not from the ledger");
            var lifetime = ParseDuration(parse.GetValue(ttl)!);
            try
            {
                Console.WriteLine(new TokenIssuer(tokens, TimeProvider.System).Issue(parse.GetValue(role)!, parse.GetValue(government), lifetime));
            }
            catch (ArgumentException ex)
            {
                throw new CliFailure(ex.Message.Split(" (Parameter", 2)[0], 2);
            }
            return 0;
        });
        return command;
    }

    private static Command Tour()
    {
        var url = new Option<string>("--url") { Description = "where the API listens", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        var command = new Command("tour", "Print how to act as each role against a running ledger: the console's demo accounts, and tokens for the API.") { url };
        command.SetAction(async (parse, ct) =>
        {
            var u = parse.GetValue(url)!.Split(';')[0].TrimEnd('/');
            Console.WriteLine($"""

            The console: open {u}/ in a browser and sign in with an account.
            """);
            Console.WriteLine(await DemoAccountLinesAsync(ct));
            Console.WriteLine($"""

            The API answers on {u}/api (health: {u}/health/ready).
            Every request carries a bearer token for one role; mint one with ./ops/ledger token:

              supervisor    TOKEN=$(./ops/ledger token --role supervisor)
              government    TOKEN=$(./ops/ledger token --role government --government 430181)   # Liuyang
              decision      TOKEN=$(./ops/ledger token --role decision)
              auditor       TOKEN=$(./ops/ledger token --role auditor)
              admin         TOKEN=$(./ops/ledger token --role admin)
              national      TOKEN=$(./ops/ledger token --role national)                        # GET /api/national/overview

            then, for example:
              curl -s -H "Authorization: Bearer $TOKEN" "{u}/api/commitments?sort=deadline&limit=10"
            """);
            return 0;
        });
        return command;
    }

    /// <summary>
    /// The demo accounts this ledger holds with their demo passwords still standing, one line each; a
    /// ledger without them (a configured one, or one whose passwords were changed) is told how to open one.
    /// </summary>
    private static async Task<string> DemoAccountLinesAsync(CancellationToken ct)
    {
        List<DemoAccounts.DemoAccount> standing = [];
        try
        {
            await using var tool = await Accounts.AccountTool.OpenAsync(ct);
            foreach (var account in DemoAccounts.All)
            {
                if (await tool.Book.PasswordStandsAsync(account.Name, account.Password, ct)) standing.Add(account);
            }
        }
        catch (CliFailure)
        {
            // No database to ask: the tour still says how to act as each role.
        }
        if (standing.Count == 0)
            return "  (no demo account here: ./ops/ledger user add NAME --role ROLE opens an account and prints its one-time password)";
        var width = standing.Max(a => a.Name.Length);
        return "  demo accounts (demo only; account / password):\n" + string.Join('\n',
            standing.Select(a => $"    {a.Name.PadRight(width)}  {a.Password.PadRight(18)}  {a.Who}"));
    }

    internal static TimeSpan ParseDuration(string text)
    {
        if (text.Length >= 2 && int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            switch (text[^1])
            {
                case 'm': return TimeSpan.FromMinutes(n);
                case 'h': return TimeSpan.FromHours(n);
                case 'd': return TimeSpan.FromDays(n);
            }
        }
        throw new CliFailure($"--ttl '{text}' is not a duration like 30m, 8h or 7d", 2);
    }
}
