using Npgsql;

namespace Ledger.Infrastructure.Integrity;

/// <summary>
/// The tables of the Merkle log, beside Marten's in the ledger's schema, and the trigger that makes
/// event rows append-only. Idempotent: run at every start.
/// </summary>
public static class IntegritySchema
{
    public static string Sql(string schema) => $"""
        create table if not exists "{schema}".ledger_merkle_leaves (
            leaf_index bigint primary key,
            seq_id bigint not null unique,
            stream_id varchar not null,
            version bigint not null,
            leaf_hash bytea not null check (length(leaf_hash) = 32));
        -- Proofs are asked for by stream and version too; without this a lookup scans every leaf.
        create index if not exists ledger_merkle_leaves_stream_version on "{schema}".ledger_merkle_leaves (stream_id, version);
        -- Complete, aligned subtrees of 2^level leaves (level >= 1): proofs and roots read these
        -- instead of re-hashing the whole tree.
        create table if not exists "{schema}".ledger_merkle_nodes (
            level int not null,
            node_index bigint not null,
            hash bytea not null check (length(hash) = 32),
            primary key (level, node_index));
        -- Sequence numbers that a rolled-back transaction took and never used: resolved, recorded, never a leaf.
        create table if not exists "{schema}".ledger_merkle_gaps (
            seq_id bigint primary key,
            resolved_at timestamptz not null);
        -- The integrator's position, written in the same transaction as the leaves it covers.
        create table if not exists "{schema}".ledger_merkle_state (
            id int primary key check (id = 1),
            tree_size bigint not null,
            last_seq bigint not null,
            root bytea not null,
            updated_at timestamptz not null);
        create table if not exists "{schema}".ledger_checkpoints (
            tree_size bigint primary key,
            root bytea not null,
            signed_note text not null,
            created_at timestamptz not null);
        -- Witnesses' cosignatures of checkpoints (C2SP tlog-cosignature lines), kept as they answered:
        -- a checkpoint is served with its signature and every line here for its size.
        create table if not exists "{schema}".ledger_cosignatures (
            tree_size bigint not null,
            witness text not null,
            line text not null,
            received_at timestamptz not null,
            primary key (tree_size, witness));

        -- Event rows are append-only for every role. Only a superuser who deliberately disables
        -- triggers (session_replication_role = replica) can change them, and `ledger verify` finds that.
        create or replace function "{schema}".ledger_events_append_only() returns trigger
            language plpgsql as $fn$
            begin
                raise exception 'ledger events are append-only: % on %.mt_events refused', tg_op, tg_table_schema
                    using errcode = 'P0001';
            end
            $fn$;
        drop trigger if exists ledger_events_no_update_delete on "{schema}".mt_events;
        create trigger ledger_events_no_update_delete before update or delete on "{schema}".mt_events
            for each row execute function "{schema}".ledger_events_append_only();
        drop trigger if exists ledger_events_no_truncate on "{schema}".mt_events;
        create trigger ledger_events_no_truncate before truncate on "{schema}".mt_events
            for each statement execute function "{schema}".ledger_events_append_only();
        """;

    public static async Task EnsureAsync(NpgsqlDataSource dataSource, string schema, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        // Two nodes starting at once must not race on DDL.
        await using (var lockCommand = new NpgsqlCommand("select pg_advisory_xact_lock(hashtext('ledger-integrity-schema'))", connection))
        await using (var tx = await connection.BeginTransactionAsync(ct))
        {
            lockCommand.Transaction = tx;
            await lockCommand.ExecuteNonQueryAsync(ct);
            await using var command = new NpgsqlCommand(Sql(schema), connection, tx);
            await command.ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
        }
    }
}
