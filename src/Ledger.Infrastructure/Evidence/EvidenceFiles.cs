using Ledger.Domain.Commitments;
using Ledger.Infrastructure.Store;
using System.Security.Cryptography;
using Npgsql;
using NpgsqlTypes;

namespace Ledger.Infrastructure.Evidence;

/// <summary>A stored file: its SHA-256 (its address), media type and size.</summary>
public sealed record StoredFile(string Sha256, string MediaType, long Length)
{
    /// <summary>The storage URI an EvidenceAttached event records for a file kept here.</summary>
    public string StorageUri => EvidenceFiles.UriFor(Sha256);
}

/// <summary>
/// Evidence files, kept in PostgreSQL and addressed by the SHA-256 of their bytes: every node reaches
/// them (nodes stay stateless), a database backup holds them, and the same file uploaded twice is
/// kept once. A file is stored before the event that names it is appended, so no event ever points
/// at a missing file; a file whose event was then refused stays, unnamed and harmless. Rows are
/// never changed or removed (a trigger refuses it), as the events that cite them are not.
/// </summary>
public sealed class EvidenceFiles(NpgsqlDataSource db, string schema)
{
    public const string Table = "ledger_evidence_files";
    public const string UriPrefix = "ledger://evidence/sha256/";

    /// <summary>The largest file the console accepts (scanned official documents, photos).</summary>
    public const long MaxBytes = 20 * 1024 * 1024;

    private readonly SchemaOnce _schema = new(ct => EnsureSchemaAsync(db, schema, ct));

    public static string UriFor(string sha256) => UriPrefix + sha256;

    public async Task<StoredFile> StoreAsync(Stream content, string mediaType, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, ct);
        if (buffer.Length > MaxBytes) throw new InvalidDataException($"The file is over {MaxBytes} bytes.");
        var bytes = buffer.ToArray();
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        await EnsureSchemaAsync(ct);
        await using var command = db.CreateCommand($"""
            insert into "{schema}".{Table} (sha256, media_type, length, content) values ($1, $2, $3, $4)
            on conflict (sha256) do nothing
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = sha });
        command.Parameters.Add(new NpgsqlParameter { Value = Clean(mediaType) });
        command.Parameters.Add(new NpgsqlParameter { Value = (long)bytes.Length });
        command.Parameters.Add(new NpgsqlParameter { Value = bytes, NpgsqlDbType = NpgsqlDbType.Bytea });
        await command.ExecuteNonQueryAsync(ct);
        return new StoredFile(sha, Clean(mediaType), bytes.Length);
    }

    /// <summary>The file with this SHA-256, or null; its bytes are checked against the address on the way out.</summary>
    public async Task<(StoredFile File, byte[] Content)?> ReadAsync(string sha256, CancellationToken ct)
    {
        if (sha256.Length != 64 || !sha256.All(Uri.IsHexDigit)) return null;
        await EnsureSchemaAsync(ct);
        await using var command = db.CreateCommand($"""select media_type, content from "{schema}".{Table} where sha256 = $1""");
        command.Parameters.Add(new NpgsqlParameter { Value = sha256.ToLowerInvariant() });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        var content = (byte[])reader[1];
        if (Convert.ToHexStringLower(SHA256.HashData(content)) != sha256.ToLowerInvariant())
            throw new InvalidDataException($"The stored file {sha256} no longer matches its SHA-256.");
        return (new StoredFile(sha256.ToLowerInvariant(), reader.GetString(0), content.Length), content);
    }

    // A media type is only a hint for the download; anything unusual is served as plain bytes.
    // What the browser said, where it is a plain type/subtype; anything else is kept as bytes of no stated type.
    private static string Clean(string mediaType) =>
        mediaType.Length <= 100 && CommitmentDecider.IsMediaType(mediaType) ? mediaType.ToLowerInvariant() : "application/octet-stream";

    private Task EnsureSchemaAsync(CancellationToken ct) => _schema.EnsureAsync(ct);

    /// <summary>The table and its guards, where missing (setup applies it; the first use checks it).</summary>
    public static Task EnsureSchemaAsync(NpgsqlDataSource db, string schema, CancellationToken ct) =>
        SchemaGuards.EnsureAsync(db, schema, "ledger-evidence-schema", [Table],
            ["ledger_evidence_files_no_update_delete", "ledger_evidence_files_no_truncate"], $"""
            {SchemaGuards.Schema(schema)}
            create table if not exists "{schema}".{Table} (
                sha256 text primary key check (length(sha256) = 64 and sha256 ~ '^[0-9a-f]+$'),
                media_type text not null,
                length bigint not null,
                content bytea not null,
                stored_at timestamptz not null default now());
            {SchemaGuards.RefusingFunction(schema, "ledger_evidence_files_keep", "evidence files are kept")}
            {SchemaGuards.AppendOnly(schema, Table, "ledger_evidence_files", "ledger_evidence_files_keep")}
            """, ct);
}
