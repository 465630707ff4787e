using System.Text.RegularExpressions;
using Npgsql;

namespace Ledger.Infrastructure.Store;

/// <summary>
/// The ledger's two PostgreSQL roles and the one text of their privileges (setup runs it, <c>ledger
/// roles sql</c> prints it, RoleTests applies it). The owner applies the schema and owns every table,
/// so it alone (and a superuser) can switch a guard off. The application's role — the API's and the
/// command line's by default — reads, appends, and updates only what the design must update; it owns
/// nothing, so <c>ALTER TABLE … DISABLE TRIGGER</c> and <c>DROP TRIGGER</c> are refused to it as well
/// as UPDATE, DELETE and TRUNCATE of history. ops/docs/roles.md explains each grant.
/// </summary>
public static partial class LedgerRoles
{
    public const string DefaultAppRole = "ledger_app";
    public const string DefaultOwnerRole = "ledger_owner";

    /// <summary>
    /// What the application's role may do to each of the ledger's own and Marten's tables. Every other
    /// table of the schema gets nothing, except Marten's documents (<see cref="DocumentPrivileges"/>).
    /// </summary>
    public static readonly IReadOnlyList<(string Table, string Privileges)> Tables =
    [
        // History: read and appended, never changed. Each also carries a guard trigger (IntegritySchema,
        // AccessLogSchema, EvidenceFiles).
        ("mt_events", "select, insert"),
        ("ledger_merkle_leaves", "select, insert"),
        ("ledger_merkle_nodes", "select, insert"),
        ("ledger_merkle_gaps", "select, insert"),
        ("ledger_checkpoints", "select, insert"),
        ("ledger_cosignatures", "select, insert"),
        ("ledger_access_log", "select, insert"),
        // The views' snapshots, a cache: added by the application's role, removed only by the owner's setup.
        ("ledger_view_snapshots", "select, insert"),
        ("ledger_evidence_files", "select, insert"),
        // A stream's row: its version and time move with each append (Marten's quick append); no other column.
        ("mt_streams", "select, insert, update (version, timestamp)"),
        // The Merkle frontier's one row: the integrator's position, written with the leaves it covers
        // (SELECT … FOR UPDATE needs an UPDATE privilege too).
        ("ledger_merkle_state", "select, insert, update (tree_size, last_seq, root, updated_at)"),
        // Passwords are not history (AccountSchema): set, changed and counted, never deleted by the application.
        ("ledger_accounts", "select, insert, update (password_hash, must_change, session_stamp, password_set_at, failed_attempts, locked_until, last_sign_in)"),
        // The async daemon's bookkeeping: how far each view has read, skipped gaps, floors.
        ("mt_event_progression", "select, insert, update, delete"),
        ("mt_high_water_skips", "select, insert, update, delete"),
        ("mt_event_projection_floors", "select, insert, update, delete"),
        // Which zone the database belongs to: written once by setup (Zones/ZoneIdentity), read by every node at start.
        ("ledger_zone", "select"),
        // An event a projection could not apply is recorded, not rewritten.
        ("mt_doc_deadletterevent", "select, insert"),
    ];

    /// <summary>Marten's other documents (mt_doc_*): the views and the idempotency records, rewritten as events arrive and purged.</summary>
    public const string DocumentPrivileges = "select, insert, update, delete";

    /// <summary>Sequences the application draws from or reads (the event sequence: appends, the daemon's high-water mark).</summary>
    public static readonly IReadOnlyList<string> Sequences = ["mt_events_sequence"];

    /// <summary>
    /// A role name this text writes unquoted: lower-case letters, digits and underscores (PostgreSQL
    /// folds an unquoted name to lower case, and a login names the role as written).
    /// </summary>
    public static bool IsRoleName(string name) => RoleName().IsMatch(name);

    /// <summary>A schema name (always quoted here): letters, digits and underscores.</summary>
    public static bool IsSchemaName(string name) => SchemaName().IsMatch(name);

    /// <summary>
    /// For the database's administrator (a superuser, or a role with CREATEROLE), once, connected to the
    /// ledger's database: both roles (without passwords: set them, or map them in pg_hba.conf), and the
    /// schema, owned by the owner.
    /// </summary>
    public static string RolesSql(string schema, string appRole, string ownerRole)
    {
        Check(schema, appRole, ownerRole);
        return $"""
            do $roles$
            begin
                if not exists (select 1 from pg_roles where rolname = '{ownerRole}') then
                    create role {ownerRole} login;
                end if;
                if not exists (select 1 from pg_roles where rolname = '{appRole}') then
                    create role {appRole} login;
                end if;
                execute format('grant connect on database %I to {ownerRole}, {appRole}', current_database());
            end
            $roles$;
            do $roles$
            begin
                if to_regnamespace('"{schema}"') is null then
                    create schema "{schema}" authorization {ownerRole};
                end if;
            end
            $roles$;
            """;
    }

    /// <summary>
    /// For the owner, after the schema is applied (setup runs it whenever the application connects as
    /// another role): the application's privileges on every table of the schema, first withdrawn, then
    /// granted exactly as <see cref="Tables"/> says. Idempotent.
    /// </summary>
    public static string GrantsSql(string schema, string appRole)
    {
        Check(schema, appRole);
        var grants = string.Join('\n', Tables.Select(t => $"""grant {t.Privileges} on "{schema}".{t.Table} to {appRole};"""));
        var sequences = string.Join('\n', Sequences.Select(s => $"""grant usage, select on sequence "{schema}".{s} to {appRole};"""));
        return $"""
            grant usage on schema "{schema}" to {appRole};
            -- Tables Marten adds later (a new view's documents) are readable and writable by the application;
            -- the next setup runs this text again and narrows any that are history.
            alter default privileges in schema "{schema}" grant {DocumentPrivileges} on tables to {appRole};
            alter default privileges in schema "{schema}" grant usage, select on sequences to {appRole};
            do $grants$
            declare
                r record;
            begin
                for r in select c.relname, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace
                         where n.nspname = '{schema}' and c.relkind in ('r', 'p', 'S') loop
                    -- Withdrawing a table's privileges withdraws its columns' too.
                    execute format('revoke all on %I.%I from {appRole}', '{schema}', r.relname);
                    if r.relkind <> 'S' and r.relname like 'mt\_doc\_%' and r.relname <> 'mt_doc_deadletterevent' then
                        execute format('grant {DocumentPrivileges} on %I.%I to {appRole}', '{schema}', r.relname);
                    end if;
                end loop;
            end
            $grants$;
            {grants}
            {sequences}
            """;
    }

    /// <summary>Runs <see cref="GrantsSql"/> in one transaction on a connection of the schema's owner.</summary>
    public static async Task GrantAsync(NpgsqlDataSource ownerDb, string schema, string appRole, CancellationToken ct)
    {
        await using var connection = await ownerDb.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var command = new NpgsqlCommand(GrantsSql(schema, appRole), connection, tx))
            await command.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }

    private static void Check(string schema, params string[] roles)
    {
        if (!IsSchemaName(schema))
            throw new ArgumentException($"schema '{schema}' is not a plain name (letters, digits and underscores, at most 63, not starting with a digit)");
        foreach (var role in roles)
        {
            if (!IsRoleName(role))
                throw new ArgumentException($"role '{role}' is not a plain name (lower-case letters, digits and underscores, at most 63, not starting with a digit)");
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex RoleName();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
    private static partial Regex SchemaName();
}
