using Ledger.Infrastructure.Store;
using Npgsql;

namespace Ledger.Infrastructure.Audit;

/// <summary>
/// The access log's table, beside Marten's in the ledger's schema, made append-only by a trigger as
/// the event rows are (<see cref="Integrity.IntegritySchema"/>). Idempotent: creates what is missing before the first entry.
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

        -- Who read what is evidence in its own right: no role may rewrite or erase it. The application's
        -- role holds no privilege to and cannot switch the guard off; only the owner or a superuser could,
        -- deliberately (ops/docs/roles.md).
        {SchemaGuards.RefusingFunction(schema, "ledger_access_log_append_only", "the access log is append-only")}
        {SchemaGuards.AppendOnly(schema, Table, "ledger_access_log", "ledger_access_log_append_only")}
        """;

    public static Task EnsureAsync(NpgsqlDataSource dataSource, string schema, CancellationToken ct) =>
        SchemaGuards.EnsureAsync(dataSource, schema, "ledger-access-log-schema", [Table],
            ["ledger_access_log_no_update_delete", "ledger_access_log_no_truncate"], SchemaGuards.Schema(schema) + "\n" + Sql(schema), ct);
}
