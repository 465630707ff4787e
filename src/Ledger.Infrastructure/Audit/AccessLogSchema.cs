using Npgsql;

namespace Ledger.Infrastructure.Audit;

/// <summary>
/// The access log's table, beside Marten's in the ledger's schema, made append-only by a trigger as
/// the event rows are (<see cref="Integrity.IntegritySchema"/>). Idempotent: run before the first entry.
/// </summary>
public static class AccessLogSchema
{
    public const string Table = "ledger_access_log";

    public static string Sql(string schema) => $"""
        create table if not exists "{schema}".{Table} (
            id bigint generated always as identity primary key,
            at timestamptz not null,
            actor_id text,
            actor_role text,
            actor_government text,
            action text not null,
            target text not null,
            subjects text[] not null,
            filters jsonb not null,
            correlation_id text not null,
            status int not null);
        create index if not exists ledger_access_log_actor on "{schema}".{Table} (actor_id, id);
        create index if not exists ledger_access_log_subjects on "{schema}".{Table} using gin (subjects);
        create index if not exists ledger_access_log_at on "{schema}".{Table} (at);

        -- Who read what is evidence in its own right: no role may rewrite or erase it. Only a superuser
        -- who deliberately disables triggers (session_replication_role = replica) could.
        create or replace function "{schema}".ledger_access_log_append_only() returns trigger
            language plpgsql as $fn$
            begin
                raise exception 'the access log is append-only: % on %.{Table} refused', tg_op, tg_table_schema
                    using errcode = 'P0001';
            end
            $fn$;
        drop trigger if exists ledger_access_log_no_update_delete on "{schema}".{Table};
        create trigger ledger_access_log_no_update_delete before update or delete on "{schema}".{Table}
            for each row execute function "{schema}".ledger_access_log_append_only();
        drop trigger if exists ledger_access_log_no_truncate on "{schema}".{Table};
        create trigger ledger_access_log_no_truncate before truncate on "{schema}".{Table}
            for each statement execute function "{schema}".ledger_access_log_append_only();
        """;

    public static async Task EnsureAsync(NpgsqlDataSource dataSource, string schema, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // Two nodes (or the API and the tool) starting at once must not race on DDL.
        await using (var lockCommand = new NpgsqlCommand("select pg_advisory_xact_lock(hashtext('ledger-access-log-schema'))", connection, tx))
            await lockCommand.ExecuteNonQueryAsync(ct);
        await using (var command = new NpgsqlCommand($"create schema if not exists \"{schema}\";\n" + Sql(schema), connection, tx))
            await command.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }
}
