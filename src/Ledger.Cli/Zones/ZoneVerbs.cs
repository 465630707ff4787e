using System.CommandLine;
using Ledger.Infrastructure.Store;
using Ledger.Infrastructure.Zones;
using Npgsql;

namespace Ledger.Cli.Zones;

/// <summary>
/// <c>ledger zone add|list</c>: the master table of cooperation zones (<see cref="ZoneRegistry"/>). A zone is its own
/// database, with its own origin, Merkle log and witnesses, served by its own nodes; adding one while every node runs
/// makes it appear in the national overview at once. ops/docs/deployment.md, "A ledger per cooperation zone".
/// </summary>
public static class ZoneVerbs
{
    public static Command Command()
    {
        var command = new Command("zone", "Keep the master table of cooperation zones: add, list (ops/docs/deployment.md).");
        command.Subcommands.Add(Add());
        command.Subcommands.Add(List());
        return command;
    }

    private static Command Add()
    {
        var id = new Argument<string>("id") { Description = $"the zone's id ({ZoneId.Rule}), e.g. zone-b" };
        var connection = new Option<string>("--connection")
        {
            Description = "the zone's database as its owner (Npgsql connection string); created when missing and the role may",
            Required = true,
        };
        var name = new Option<string?>("--name") { Description = "the zone's name as people read it, e.g. 湘赣边区域合作示范区" };
        var command = new Command("add",
            "Create the zone's database if missing, apply the ledger's schema there with origin ledger.local/ID, and register it in the master table.")
        {
            id, connection, name,
        };
        command.SetAction(async (parse, ct) =>
        {
            var zone = parse.GetValue(id)!;
            var connectionString = parse.GetValue(connection)!;
            await AddAsync(zone, connectionString, parse.GetValue(name), ct);
            return 0;
        });
        return command;
    }

    private static async Task AddAsync(string zone, string connectionString, string? name, CancellationToken ct)
    {
        if (!ZoneId.IsValid(zone))
            throw new CliFailure($"'{zone}' is not a zone id ({ZoneId.Rule}), e.g. zone-b", 2);
        var target = Parse(connectionString);
        var configuration = Verbs.Configuration();
        var own = LedgerSettings.From(configuration);
        await using var registry = new ZoneRegistry(ZoneRegistry.ConnectionStringFrom(configuration, own.OwnerConnectionString), own.Schema, TimeProvider.System);

        // First everything that can refuse, so that a refusal leaves nothing behind.
        var registered = await RegisteredAsync(registry, ct);
        var same = registered.FirstOrDefault(e => e.Zone == zone);
        if (same is not null && !SameDatabase(same.ConnectionString, connectionString))
            throw new CliFailure($"zone '{zone}' is registered already, with {Where(same.ConnectionString)}; it keeps that database");
        if (registered.FirstOrDefault(e => e.Zone != zone && SameDatabase(e.ConnectionString, connectionString)) is { } other)
            throw new CliFailure($"{Where(connectionString)} holds zone '{other.Zone}' already: each zone has a database of its own");

        var origin = ZoneId.DefaultOrigin(zone);
        bool created;
        try
        {
            // The zone's server first (read only): an unreachable one is refused before anything is written anywhere.
            if (await ZoneDatabases.ExistsAsync(connectionString, ct)
                && await RecordedZoneAsync(connectionString, own.Schema, ct) is { } recorded && recorded.Zone != zone)
                throw new CliFailure($"{Where(connectionString)} holds the ledger of zone '{recorded.Zone}' (schema '{own.Schema}'), not '{zone}'; nothing was changed");
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw new CliFailure($"cannot reach the zone's database ({Where(connectionString)}: {ex.Message}); nothing was changed");
        }
        try
        {
            // Then the master table, so that a registry it may not create refuses before the zone's database is made.
            await registry.EnsureAsync(ct);
            if (own.SeparateAppRole is { } app) await registry.GrantReadAsync(app, ct);
        }
        catch (PostgresException refused) when (refused.SqlState is PostgresErrorCodes.InsufficientPrivilege)
        {
            throw new CliFailure($"the zone registry's {Where(registry.ConnectionString)} cannot be made as " +
                $"'{new NpgsqlConnectionStringBuilder(registry.ConnectionString).Username}' ({refused.MessageText}): create it, owned by that role, " +
                $"or name another in {ZoneRegistry.Setting}; nothing was changed");
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw new CliFailure($"cannot reach the zone registry ({Where(registry.ConnectionString)}: {ex.Message}); nothing was changed");
        }
        try
        {
            created = await ZoneDatabases.CreateIfMissingAsync(connectionString, ct);
        }
        catch (PostgresException refused) when (refused.SqlState is PostgresErrorCodes.InsufficientPrivilege)
        {
            throw new CliFailure($"{Where(connectionString)} does not exist and '{target.Username}' may not create it ({refused.MessageText}): " +
                "create it as the server's administrator, owned by that role, and run zone add again; nothing was changed");
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw new CliFailure($"cannot reach the zone's database ({Where(connectionString)}: {ex.Message}); nothing was changed");
        }

        try
        {
            // The zone's own ledger, as its first node's setup would apply it: same schema name, its own zone and origin.
            var settings = new LedgerSettings(connectionString, own.Schema, own.DataDirectory) { OwnerConnectionString = connectionString, Zone = zone };
            await LedgerSchema.ApplyAsync(settings, ct, origin, name);
            if (same is null) await registry.RegisterAsync(zone, connectionString);
        }
        catch (Exception failed) when (failed is not OperationCanceledException)
        {
            if (created) await ZoneDatabases.DropAsync(connectionString, CancellationToken.None);
            throw new CliFailure($"zone '{zone}' could not be added ({failed.Message}); " +
                (created ? $"the database it created was dropped again" : "its database was left as it was") + ", and it is not registered");
        }
        Console.WriteLine(same is null
            ? $"zone '{zone}' added: {Where(connectionString)}{(created ? " (created)" : "")}, schema '{own.Schema}', origin {origin}; " +
              $"registered in {Where(registry.ConnectionString)}. Its nodes run with Ledger__Zone={zone} and ConnectionStrings__Ledger naming that database."
            : $"zone '{zone}' was registered already with {Where(connectionString)}; its schema is applied and current.");
    }

    /// <summary>The master table's zones, or the one line saying the registry cannot be reached.</summary>
    private static async Task<IReadOnlyList<ZoneRegistry.Entry>> RegisteredAsync(ZoneRegistry registry, CancellationToken ct)
    {
        try
        {
            return await registry.ListAsync(ct);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw new CliFailure($"cannot reach the zone registry ({Where(registry.ConnectionString)}: {ex.Message}); {ZoneRegistry.Setting} names it");
        }
    }

    private static Command List()
    {
        var command = new Command("list", "Print the zones of the master table: id, origin, database.");
        command.SetAction(async (_, ct) =>
        {
            var configuration = Verbs.Configuration();
            var own = LedgerSettings.From(configuration);
            await using var registry = new ZoneRegistry(ZoneRegistry.ConnectionStringFrom(configuration, own.ConnectionString), own.Schema, TimeProvider.System);
            var zones = await RegisteredAsync(registry, ct);
            if (zones.Count == 0)
            {
                Console.WriteLine($"no zone registered in {Where(registry.ConnectionString)} (this node's zone is '{own.Zone}'; ./ops/ledger zone add ID --connection … adds one)");
                return 0;
            }
            var width = zones.Max(z => z.Zone.Length);
            foreach (var entry in zones)
            {
                string origin;
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    timeout.CancelAfter(TimeSpan.FromSeconds(5));
                    origin = await RecordedZoneAsync(entry.ConnectionString, own.Schema, timeout.Token) is { } recorded
                        ? recorded.Origin + (recorded.Name is null ? "" : $"  {recorded.Name}")
                        : "(no ledger recorded there)";
                }
                catch (Exception ex) when (ex is NpgsqlException or TimeoutException or OperationCanceledException && !ct.IsCancellationRequested)
                {
                    origin = "(unreachable)";
                }
                var mark = entry.Zone == own.Zone ? "  (this node's zone)" : "";
                Console.WriteLine($"{entry.Zone.PadRight(width)}  {origin}  {Where(entry.ConnectionString)}{mark}");
            }
            return 0;
        });
        return command;
    }

    private static NpgsqlConnectionStringBuilder Parse(string connectionString)
    {
        try
        {
            var parsed = new NpgsqlConnectionStringBuilder(connectionString);
            if (string.IsNullOrEmpty(parsed.Host) || string.IsNullOrEmpty(parsed.Database))
                throw new CliFailure("--connection must name a Host and a Database, e.g. \"Host=127.0.0.1;Port=5432;Database=ledger_zone_b;Username=ledger_owner\"", 2);
            return parsed;
        }
        catch (ArgumentException ex)
        {
            throw new CliFailure($"--connection is not a connection string ({ex.Message})", 2);
        }
    }

    private static async Task<ZoneIdentity.Recorded?> RecordedZoneAsync(string connectionString, string schema, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        return await ZoneIdentity.ReadAsync(connection, schema, ct);
    }

    private static bool SameDatabase(string a, string b)
    {
        var (x, y) = (new NpgsqlConnectionStringBuilder(a), new NpgsqlConnectionStringBuilder(b));
        return string.Equals(x.Host, y.Host, StringComparison.OrdinalIgnoreCase) && x.Port == y.Port && string.Equals(x.Database, y.Database, StringComparison.Ordinal);
    }

    /// <summary>A database for a message: its name, host and port (never a password).</summary>
    internal static string Where(string connectionString)
    {
        var c = new NpgsqlConnectionStringBuilder(connectionString);
        return $"database '{c.Database}' on {c.Host}:{c.Port}";
    }
}
