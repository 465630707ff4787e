using Ledger.Infrastructure.Store;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;

namespace Ledger.Infrastructure.Audit;

/// <summary>Who read: the token's subject, role and (for a government) its division code; for a verb run without a token, the operating-system account.</summary>
public sealed record AccessActor(string? Id, string? Role, string? Government);

/// <summary>
/// One replay or export as asked: when (the ledger's clock), who, the action (the endpoint's route
/// pattern or the verb), the target (the path or the bundle folder), the ids it concerns, the filters
/// and time range as given, and the correlation id.
/// </summary>
public sealed record AccessAttempt(
    DateTimeOffset At,
    AccessActor Actor,
    string Action,
    string Target,
    IReadOnlyList<string> Subjects,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Filters,
    string CorrelationId);

/// <summary>
/// An entry of the access log. <see cref="Status"/> is the HTTP status answered, or for a verb its exit
/// code (0 written, 1 failed, 2 refused as bad input).
/// </summary>
public sealed record AccessLogEntry(
    long Id,
    DateTimeOffset At,
    AccessActor Actor,
    string Action,
    string Target,
    IReadOnlyList<string> Subjects,
    JsonObject Filters,
    string CorrelationId,
    int Status);

/// <summary>A page of the log, newest first; <see cref="Before"/> resumes below an id (keyset).</summary>
public sealed record AccessLogQuery(string? Actor, string? Subject, DateTimeOffset? From, DateTimeOffset? To, int Limit, long? Before);

/// <summary>
/// The append-only log of every replay and export: who looked at what, when, and with what outcome.
/// A read whose access cannot be recorded fails (callers let <see cref="RecordAsync"/>'s exception
/// stand): accountability comes before availability for auditors' reads.
/// </summary>
public sealed class AccessLog(NpgsqlDataSource db, string schema, TimeProvider time)
{
    private readonly SchemaOnce _schema = new(ct => AccessLogSchema.EnsureAsync(db, schema, ct));

    public TimeProvider Time => time;

    public Task EnsureSchemaAsync(CancellationToken ct) => _schema.EnsureAsync(ct);

    /// <summary>Appends the attempt with its outcome and returns the entry's id; throws when it cannot.</summary>
    public async Task<long> RecordAsync(AccessAttempt attempt, int status, CancellationToken ct)
    {
        await EnsureSchemaAsync(ct);
        await using var command = db.CreateCommand($"""
            insert into "{schema}".{AccessLogSchema.Table}
                (at, actor_id, actor_role, actor_government, action, target, subjects, filters, correlation_id, status)
            values (@at, @actor_id, @actor_role, @actor_government, @action, @target, @subjects, @filters, @correlation_id, @status)
            returning id
            """);
        command.Parameters.AddWithValue("at", attempt.At.ToUniversalTime());
        command.Parameters.Add(new NpgsqlParameter("actor_id", NpgsqlDbType.Text) { Value = (object?)attempt.Actor.Id ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("actor_role", NpgsqlDbType.Text) { Value = (object?)attempt.Actor.Role ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("actor_government", NpgsqlDbType.Text) { Value = (object?)attempt.Actor.Government ?? DBNull.Value });
        command.Parameters.AddWithValue("action", attempt.Action);
        command.Parameters.AddWithValue("target", attempt.Target);
        command.Parameters.Add(new NpgsqlParameter("subjects", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = attempt.Subjects.Distinct(StringComparer.Ordinal).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("filters", NpgsqlDbType.Jsonb) { Value = FiltersJson(attempt.Filters) });
        command.Parameters.AddWithValue("correlation_id", attempt.CorrelationId);
        command.Parameters.AddWithValue("status", status);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Entries matching the query, newest first, and the id to resume below (null on the last page).</summary>
    public async Task<(IReadOnlyList<AccessLogEntry> Entries, long? Next)> QueryAsync(AccessLogQuery query, CancellationToken ct)
    {
        await EnsureSchemaAsync(ct);
        var sql = new StringBuilder($"""
            select id, at, actor_id, actor_role, actor_government, action, target, subjects, filters::text, correlation_id, status
            from "{schema}".{AccessLogSchema.Table} where true
            """);
        await using var command = db.CreateCommand();
        if (query.Actor is { } actor)
        {
            sql.Append(" and actor_id = @actor");
            command.Parameters.AddWithValue("actor", actor);
        }
        if (query.Subject is { } subject)
        {
            sql.Append(" and subjects @> array[@subject]::text[]");
            command.Parameters.AddWithValue("subject", subject);
        }
        TimeWindow.AppendTo(sql, command, "at", query.From, query.To);
        if (query.Before is { } before)
        {
            sql.Append(" and id < @before");
            command.Parameters.AddWithValue("before", before);
        }
        sql.Append(" order by id desc limit @limit");
        command.Parameters.AddWithValue("limit", query.Limit + 1);
        command.CommandText = sql.ToString();

        var entries = new List<AccessLogEntry>(query.Limit + 1);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            entries.Add(new AccessLogEntry(
                reader.GetInt64(0),
                new DateTimeOffset(reader.GetDateTime(1), TimeSpan.Zero),
                new AccessActor(Text(reader, 2), Text(reader, 3), Text(reader, 4)),
                reader.GetString(5),
                reader.GetString(6),
                reader.GetFieldValue<string[]>(7),
                JsonNode.Parse(reader.GetString(8))!.AsObject(),
                reader.GetString(9),
                reader.GetInt32(10)));
        }
        if (entries.Count <= query.Limit) return (entries, null);
        entries.RemoveAt(entries.Count - 1);
        return (entries, entries[^1].Id);
    }

    /// <summary>The filters as a JSON object: a value given once as a string, a repeated one as an array.</summary>
    private static string FiltersJson(IReadOnlyDictionary<string, IReadOnlyList<string>> filters)
    {
        var json = new JsonObject();
        foreach (var (name, values) in filters.OrderBy(f => f.Key, StringComparer.Ordinal))
            json[name] = values.Count == 1 ? JsonValue.Create(values[0]) : new JsonArray([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);
        return json.ToJsonString();
    }

    private static string? Text(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
