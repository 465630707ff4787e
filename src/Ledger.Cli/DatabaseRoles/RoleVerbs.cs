using System.CommandLine;
using Ledger.Infrastructure.Store;

namespace Ledger.Cli.DatabaseRoles;

/// <summary>
/// <c>ledger roles sql</c>: the SQL that gives a configured database the ledger's two roles — the owner
/// that applies the schema and the application's role that cannot rewrite history — for its
/// administrator to run. The private cluster gets them from ops/lib/postgres.sh; setup grants the
/// application's privileges itself. ops/docs/roles.md explains it.
/// </summary>
public static class RoleVerbs
{
    public static Command Command()
    {
        var command = new Command("roles", "The ledger's PostgreSQL roles: the owner that applies the schema and the application's role that cannot rewrite history.");
        command.Subcommands.Add(Sql());
        return command;
    }

    private static Command Sql()
    {
        var schema = new Option<string?>("--schema") { Description = "the ledger's schema (default: Ledger:Schema, else 'ledger')" };
        var app = new Option<string>("--app-role") { Description = "the application's role", DefaultValueFactory = _ => LedgerRoles.DefaultAppRole };
        var owner = new Option<string>("--owner-role") { Description = "the schema's owner", DefaultValueFactory = _ => LedgerRoles.DefaultOwnerRole };
        var command = new Command("sql", "Print the SQL that creates both roles and the application's privileges, for a configured database's administrator.")
        {
            schema, app, owner,
        };
        command.SetAction(parse =>
        {
            var schemaName = parse.GetValue(schema) ?? Verbs.Configuration()["Ledger:Schema"] ?? "ledger";
            var (appRole, ownerRole) = (parse.GetValue(app)!, parse.GetValue(owner)!);
            if (!LedgerRoles.IsSchemaName(schemaName))
                throw new CliFailure($"--schema '{schemaName}' is not a plain name (letters, digits and underscores)", 2);
            foreach (var (option, role) in new[] { ("--app-role", appRole), ("--owner-role", ownerRole) })
            {
                if (!LedgerRoles.IsRoleName(role))
                    throw new CliFailure($"{option} '{role}' is not a plain role name (lower-case letters, digits and underscores)", 2);
            }
            if (appRole == ownerRole)
                throw new CliFailure($"--app-role and --owner-role are both '{appRole}': the application's role must not own the tables", 2);
            Console.WriteLine(Text(schemaName, appRole, ownerRole));
            return 0;
        });
        return command;
    }

    internal static string Text(string schema, string appRole, string ownerRole) => $"""
        -- The ledger's two PostgreSQL roles, for schema "{schema}" (ops/docs/roles.md).
        --
        -- 1. As a superuser (or a role with CREATEROLE), connected to the ledger's database, once:
        --    the owner, which applies the schema and owns every table, and the application's role,
        --    which owns nothing. Give each a password (ALTER ROLE … PASSWORD) or map it in pg_hba.conf.
        {LedgerRoles.RolesSql(schema, appRole, ownerRole)}
        -- 2. Configure the ledger with both connections and apply the schema as the owner:
        --      ConnectionStrings__Ledger="…;Username={appRole}"        (the API and the command line)
        --      ConnectionStrings__LedgerOwner="…;Username={ownerRole}"  (setup, import, rebuild, reset)
        --      ./ops/ledger setup
        --    setup runs part 3 itself, as the owner, after every schema change. It is printed here for a
        --    schema applied some other way; run it as {ownerRole}, after the schema exists.
        --
        -- 3. The application's privileges: read and append history; update only stream versions, the
        --    Merkle frontier's row, account passwords, Marten's documents and the daemon's progress.
        {LedgerRoles.GrantsSql(schema, appRole)}
        -- An existing ledger whose tables another role owns (the application's, before these roles):
        -- as a superuser, REASSIGN OWNED BY that_role TO {ownerRole}; then run setup as above.
        """;
}
