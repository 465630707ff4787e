using System.CommandLine;
using System.Globalization;
using Ledger.Contracts;
using Ledger.Domain;
using Ledger.Infrastructure.Accounts;
using Ledger.Infrastructure.Audit;
using Ledger.Infrastructure.Resilience;
using Ledger.Infrastructure.Store;
using Ledger.Infrastructure.Writing;
using Marten;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Ledger.Cli.Accounts;

/// <summary>
/// <c>ledger user …</c>: the administrator keeps the console's accounts on the ledger's own machine.
/// Every change is an event on the account's stream, appended by the same writer and decider as any
/// other, in the name of the operating-system account that ran the tool (as the access log names it).
/// </summary>
public static class UserVerbs
{
    private static readonly string Roles = string.Join(", ", Enum.GetNames<AccountRole>().Select(r => r.ToLowerInvariant()));

    public static Command Command()
    {
        var command = new Command("user", "Keep the console's accounts: add, grant, disable, reset-password, list.");
        command.Subcommands.Add(Add());
        command.Subcommands.Add(Grant());
        command.Subcommands.Add(Disable());
        command.Subcommands.Add(ResetPassword());
        command.Subcommands.Add(List());
        return command;
    }

    private static Argument<string> Name() => new("name") { Description = "the account's name: 3-64 lower-case letters, digits, dots, dashes or underscores" };

    private static Option<string> RoleOption() => new("--role") { Description = Roles, Required = true };

    private static Option<string?> GovernmentOption() => new("--government") { Description = "the division code a government account is bound to, e.g. 430181" };

    private static Command Add()
    {
        var (name, role, government) = (Name(), RoleOption(), GovernmentOption());
        var command = new Command("add", "Open an account and print its one-time password, which the person must replace at first sign-in.") { name, role, government };
        command.SetAction(async (parse, ct) =>
        {
            var account = parse.GetValue(name)!;
            var accountRole = ParseRole(parse.GetValue(role)!);
            await using var tool = await AccountTool.OpenAsync(ct);
            var password = await Refusals(() => tool.Book.CreateAsync(account, accountRole, parse.GetValue(government), null, tool.Context, ct));
            Console.WriteLine($"opened account {account} ({Describe(accountRole, parse.GetValue(government))})");
            Console.WriteLine($"one-time password: {password}");
            Console.WriteLine("(give it to the person; they must set a password of their own when they first sign in)");
            return 0;
        });
        return command;
    }

    private static Command Grant()
    {
        var (name, role, government) = (Name(), RoleOption(), GovernmentOption());
        var command = new Command("grant", "Give an account another role (the one before lapses; its open sessions end).") { name, role, government };
        command.SetAction(async (parse, ct) =>
        {
            var account = parse.GetValue(name)!;
            var accountRole = ParseRole(parse.GetValue(role)!);
            await using var tool = await AccountTool.OpenAsync(ct);
            var result = await Refusals(() => tool.Book.GrantRoleAsync(account, accountRole, parse.GetValue(government), tool.Context, ct));
            Console.WriteLine(result.EventTypes.Count == 0
                ? $"account {account} holds that role already; nothing changed"
                : $"account {account} is now {Describe(accountRole, parse.GetValue(government))}; its open sessions end at their next request");
            return 0;
        });
        return command;
    }

    private static Command Disable()
    {
        var name = Name();
        var command = new Command("disable", "Disable an account: it signs in nowhere from now on and its open sessions end at their next request.") { name };
        command.SetAction(async (parse, ct) =>
        {
            var account = parse.GetValue(name)!;
            await using var tool = await AccountTool.OpenAsync(ct);
            var result = await Refusals(() => tool.Book.DisableAsync(account, tool.Context, ct));
            Console.WriteLine(result.EventTypes.Count == 0
                ? $"account {account} was disabled already; nothing changed"
                : $"disabled account {account}; its open sessions end at their next request");
            return 0;
        });
        return command;
    }

    private static Command ResetPassword()
    {
        var name = Name();
        var command = new Command("reset-password", "Give an account a new one-time password (printed); its open sessions end and a lock-out is lifted.") { name };
        command.SetAction(async (parse, ct) =>
        {
            var account = parse.GetValue(name)!;
            await using var tool = await AccountTool.OpenAsync(ct);
            var password = await Refusals(() => tool.Book.ResetPasswordAsync(account, tool.Context, ct));
            Console.WriteLine($"one-time password for {account}: {password}");
            Console.WriteLine("(its open sessions have ended; the person must set a password of their own at the next sign-in)");
            return 0;
        });
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "Every account: name, role, government, state and last sign-in (Beijing time).");
        command.SetAction(async (parse, ct) =>
        {
            await using var tool = await AccountTool.OpenAsync(ct);
            var accounts = await tool.Book.ListAsync(ct);
            if (accounts.Count == 0)
            {
                Console.WriteLine("no accounts yet; ./ops/ledger user add NAME --role ROLE opens one");
                return 0;
            }
            string[] header = ["name", "role", "government", "state", "last sign-in"];
            var rows = accounts.Select(a => new[] { a.AccountId, a.Role.ToString().ToLowerInvariant(), a.GovernmentId ?? "-", State(a), Beijing(a.LastSignIn) }).ToList();
            var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
            string Line(string[] cells) => string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i])));
            Console.WriteLine(Line(header));
            foreach (var row in rows) Console.WriteLine(Line(row));
            return 0;
        });
        return command;
    }

    private static string State(AccountSummary a) =>
        a.Disabled ? "disabled"
        : a.LockedUntil is { } until ? $"locked until {Beijing(until)}"
        : a.MustChangePassword ? "active (one-time password)"
        : "active";

    private static string Beijing(DateTimeOffset? at) =>
        at is { } t ? t.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " +08:00" : "never";

    private static string Describe(AccountRole role, string? government) =>
        government is null ? role.ToString().ToLowerInvariant() : $"{role.ToString().ToLowerInvariant()} of {government}";

    private static AccountRole ParseRole(string text)
    {
        if (Enum.TryParse<AccountRole>(text, ignoreCase: true, out var role) && Enum.IsDefined(role) && !int.TryParse(text, out _))
            return role;
        if (string.Equals(text, "admin", StringComparison.OrdinalIgnoreCase))
            throw new CliFailure($"admin is no role for an account: the administrator works with this tool on the ledger's machine (roles: {Roles})", 2);
        throw new CliFailure($"unknown role '{text}' (one of: {Roles})", 2);
    }

    /// <summary>A refusal is one line: bad input exits 2, an unknown name or a conflict 1; nothing was written.</summary>
    private static async Task<T> Refusals<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (DomainException refused)
        {
            throw new CliFailure(refused.Message.TrimEnd('.'), refused.Kind == DomainErrorKind.Rule ? 2 : 1);
        }
        catch (Exception ex) when (DatabaseFailures.FindRefusal(ex) is { } refusal)
        {
            // The events and the password are one transaction: whatever PostgreSQL refused, nothing of it was written.
            throw new CliFailure($"PostgreSQL refused the change ({refusal.SqlState}: {refusal.MessageText}); nothing was written");
        }
        catch (NpgsqlException ex)
        {
            throw new CliFailure($"cannot reach the ledger's database ({ex.Message}); is PostgreSQL running? ./ops/ledger up starts the private cluster");
        }
    }
}

/// <summary>
/// The account book on the configured ledger, without the API's host: the store, a writer that commits
/// each append alone, and the accounts' table, acting as the operating-system account running the tool.
/// </summary>
internal sealed class AccountTool : IAsyncDisposable
{
    private readonly DocumentStore _store;
    private readonly LedgerWriter _writer;
    private readonly NpgsqlDataSource _db;

    private AccountTool(LedgerSettings settings)
    {
        _store = LedgerStore.Create(settings.ConnectionString, settings.Schema, TimeProvider.System);
        _writer = new LedgerWriter(_store, TimeProvider.System, Options.Create(new IdempotencySettings()), Options.Create(new WriteSettings { GroupCommit = false, MaxBatch = 1 }),
            NullLogger<LedgerWriter>.Instance);
        _db = NpgsqlDataSource.Create(settings.ConnectionString);
        Book = new AccountBook(_writer, _store, _db, settings.Schema, TimeProvider.System);
        Context = AccountBook.Context(new Actor(AccessLogActors.OperatingSystemAccount().Id!, ActorRole.Admin));
    }

    public AccountBook Book { get; }

    public RequestContext Context { get; }

    public static async Task<AccountTool> OpenAsync(CancellationToken ct)
    {
        var tool = new AccountTool(LedgerSettings.From(Verbs.Configuration()));
        try
        {
            // A ledger that has never been set up gets its event tables and the accounts' table here.
            await tool._store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
            await tool.Book.EnsureSchemaAsync(ct);
            return tool;
        }
        catch (NpgsqlException ex)
        {
            await tool.DisposeAsync();
            throw new CliFailure($"cannot reach the ledger's database ({ex.Message}); is PostgreSQL running? ./ops/ledger up starts the private cluster");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync();
        await _db.DisposeAsync();
        _store.Dispose();
    }
}
