using Ledger.Infrastructure.Store;
using Npgsql;

namespace Ledger.Infrastructure.Integrity;

/// <summary>
/// The tables of the Merkle log, beside Marten's in the ledger's schema, and the triggers that make
/// event rows and the log append-only. Idempotent; at every start it creates only what is missing.
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

        -- Event rows are append-only for every role; so are the Merkle log's leaves, nodes, resolved gaps and
        -- signed checkpoints and their witnesses' cosignatures, and stream rows are never deleted. The application's role holds no privilege to
        -- change them either, and does not own them, so it cannot switch a guard off (ops/docs/roles.md). Only
        -- the owner or a superuser could, deliberately, and `ledger verify` and the witnesses find what
        -- they changed. A guard that stands is never dropped or replaced (SchemaGuards).
        {SchemaGuards.RefusingFunction(schema, "ledger_events_append_only", "ledger events are append-only")}
        {SchemaGuards.RefusingFunction(schema, "ledger_append_only", "this table is append-only")}
        {SchemaGuards.RefusingFunction(schema, "ledger_streams_kept", "stream rows are kept")}
        {SchemaGuards.AppendOnly(schema, "mt_events", "ledger_events", "ledger_events_append_only")}
        {SchemaGuards.Trigger(schema, "mt_streams", "ledger_streams_no_delete", "before delete", "row", "ledger_streams_kept")}
        {SchemaGuards.Trigger(schema, "mt_streams", "ledger_streams_no_truncate", "before truncate", "statement", "ledger_streams_kept")}
        {SchemaGuards.AppendOnly(schema, "ledger_merkle_leaves", "ledger_merkle_leaves", "ledger_append_only")}
        {SchemaGuards.AppendOnly(schema, "ledger_merkle_nodes", "ledger_merkle_nodes", "ledger_append_only")}
        {SchemaGuards.AppendOnly(schema, "ledger_merkle_gaps", "ledger_merkle_gaps", "ledger_append_only")}
        {SchemaGuards.AppendOnly(schema, "ledger_checkpoints", "ledger_checkpoints", "ledger_append_only")}
        {SchemaGuards.AppendOnly(schema, "ledger_cosignatures", "ledger_cosignatures", "ledger_append_only")}
        """;

    /// <summary>The tables this schema makes.</summary>
    public static readonly string[] Tables =
        ["ledger_merkle_leaves", "ledger_merkle_nodes", "ledger_merkle_gaps", "ledger_merkle_state", "ledger_checkpoints", "ledger_cosignatures"];

    /// <summary>The guards it sets, on those tables and on Marten's mt_events and mt_streams.</summary>
    public static readonly string[] Triggers =
    [
        "ledger_events_no_update_delete", "ledger_events_no_truncate", "ledger_streams_no_delete", "ledger_streams_no_truncate",
        "ledger_merkle_leaves_no_update_delete", "ledger_merkle_leaves_no_truncate", "ledger_merkle_nodes_no_update_delete",
        "ledger_merkle_nodes_no_truncate", "ledger_merkle_gaps_no_update_delete", "ledger_merkle_gaps_no_truncate",
        "ledger_checkpoints_no_update_delete", "ledger_checkpoints_no_truncate",
        "ledger_cosignatures_no_update_delete", "ledger_cosignatures_no_truncate",
    ];

    /// <summary>Creates what is missing (after Marten's schema: the guards sit on mt_events and mt_streams); nothing if all stands.</summary>
    public static Task EnsureAsync(NpgsqlDataSource dataSource, string schema, CancellationToken ct) =>
        SchemaGuards.EnsureAsync(dataSource, schema, "ledger-integrity-schema", Tables, Triggers, Sql(schema), ct);
}
