using Ledger.Infrastructure.Store;
using Npgsql;

namespace Ledger.Infrastructure.Accounts;

/// <summary>
/// Where an account's password lives, beside Marten's tables in the ledger's schema: an ordinary table,
/// never an event (events are kept forever, exported and proved; a hash in them could be attacked
/// offline for as long). With the hash: the failed sign-ins in a row and the lock-out that follows,
/// whether the password is a one-time one, the session stamp every open session carries (a new stamp
/// ends them all), and the last sign-in. Idempotent: creates what is missing before the first use.
/// </summary>
public static class AccountSchema
{
    public const string Table = "ledger_accounts";

    public static string Sql(string schema) => $"""
        create table if not exists "{schema}".{Table} (
            account_id text primary key,
            password_hash text not null,
            must_change boolean not null,
            session_stamp text not null,
            password_set_at timestamptz not null,
            failed_attempts int not null default 0,
            locked_until timestamptz,
            last_sign_in timestamptz);
        """;

    public static Task EnsureAsync(NpgsqlDataSource dataSource, string schema, CancellationToken ct) =>
        SchemaGuards.EnsureAsync(dataSource, schema, "ledger-accounts-schema", [Table], [], SchemaGuards.Schema(schema) + "\n" + Sql(schema), ct);
}
