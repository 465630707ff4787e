using Npgsql;

namespace Ledger.Infrastructure.Store;

/// <summary>
/// The ledger's own DDL beside Marten's (Merkle log, accounts, access log, evidence files) and the
/// triggers that guard its append-only tables, applied so that a guard is never dropped or replaced
/// once it stands: functions and triggers are created only where missing, never "drop … if exists"
/// then "create". The DDL runs only when something is missing, so the application's role, which may
/// not create anything in the schema (ops/docs/roles.md), starts against a schema its owner applied
/// without issuing a statement it would be refused.
/// </summary>
public static class SchemaGuards
{
    /// <summary>
    /// The schema, if missing. Not "create schema if not exists": PostgreSQL checks the database's CREATE
    /// privilege before it looks, and an owner given the schema by the database's administrator has none.
    /// </summary>
    public static string Schema(string schema) => $"""
        do $guard$
        begin
            if to_regnamespace('"{schema}"') is null then
                create schema "{schema}";
            end if;
        end
        $guard$;
        """;

    /// <summary>A trigger function that refuses the statement, created only if the schema lacks it.</summary>
    public static string RefusingFunction(string schema, string function, string message) => $"""
        do $guard$
        begin
            if to_regprocedure('"{schema}".{function}()') is null then
                create function "{schema}".{function}() returns trigger language plpgsql as $fn$
                    begin
                        raise exception '{message}: % on %.% refused', tg_op, tg_table_schema, tg_table_name
                            using errcode = 'P0001';
                    end
                    $fn$;
            end if;
        end
        $guard$;
        """;

    /// <summary>
    /// A guard trigger, created only if <paramref name="table"/> has none of that name: a trigger that
    /// stands is left exactly as it is (its oid survives every start; RoleTests checks it).
    /// </summary>
    public static string Trigger(string schema, string table, string trigger, string when, string level, string function) => $"""
        do $guard$
        begin
            if not exists (select 1 from pg_trigger where tgname = '{trigger}' and tgrelid = '"{schema}".{table}'::regclass) then
                create trigger {trigger} {when} on "{schema}".{table}
                    for each {level} execute function "{schema}".{function}();
            end if;
        end
        $guard$;
        """;

    /// <summary>
    /// The usual pair on an append-only table: no UPDATE or DELETE of a row, no TRUNCATE of the table.
    /// Names are <c>{prefix}_no_update_delete</c> and <c>{prefix}_no_truncate</c>.
    /// </summary>
    public static string AppendOnly(string schema, string table, string prefix, string function) =>
        Trigger(schema, table, $"{prefix}_no_update_delete", "before update or delete", "row", function) + "\n" +
        Trigger(schema, table, $"{prefix}_no_truncate", "before truncate", "statement", function);

    /// <summary>
    /// Runs <paramref name="sql"/> (idempotent DDL) unless every table and trigger named is already in
    /// the schema. Two nodes, or the API and the tool, starting at once take turns on the advisory lock.
    /// A role that may not create what is missing gets one message saying who must.
    /// </summary>
    public static async Task EnsureAsync(NpgsqlDataSource db, string schema, string lockName,
        IReadOnlyCollection<string> tables, IReadOnlyCollection<string> triggers, string sql, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        if (await AllPresentAsync(connection, null, schema, tables, triggers, ct)) return;
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var lockCommand = new NpgsqlCommand("select pg_advisory_xact_lock(hashtext(@name))", connection, tx))
        {
            lockCommand.Parameters.AddWithValue("name", lockName);
            await lockCommand.ExecuteNonQueryAsync(ct);
        }
        if (await AllPresentAsync(connection, tx, schema, tables, triggers, ct)) return;
        try
        {
            await using var command = new NpgsqlCommand(sql, connection, tx);
            await command.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            var role = new NpgsqlConnectionStringBuilder(connection.ConnectionString).Username;
            throw new InvalidOperationException(
                $"schema '{schema}' lacks some of {string.Join(", ", tables)} or their guards, and role '{role}' may not create them " +
                $"({ex.MessageText}): apply the schema as its owner first (./ops/ledger setup; ops/docs/roles.md)", ex);
        }
        await tx.CommitAsync(ct);
    }

    private static async Task<bool> AllPresentAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string schema,
        IReadOnlyCollection<string> tables, IReadOnlyCollection<string> triggers, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            select (select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
                     where n.nspname = @schema and c.relname = any(@tables) and c.relkind in ('r', 'p')),
                   (select count(*) from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
                     where n.nspname = @schema and t.tgname = any(@triggers))
            """, connection, tx);
        command.Parameters.AddWithValue("schema", schema);
        command.Parameters.AddWithValue("tables", tables.ToArray());
        command.Parameters.AddWithValue("triggers", triggers.ToArray());
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return reader.GetInt64(0) == tables.Count && reader.GetInt64(1) == triggers.Count;
    }
}
