using System.Globalization;
using System.Text;
using System.Text.Json;
using Ledger.Contracts;
using Ledger.Domain;
using Ledger.Infrastructure.Writing;
using Marten;
using Marten.Services;
using Npgsql;

namespace Ledger.Infrastructure.Import;

/// <summary>A file the import refuses, with the line at fault; nothing was written.</summary>
public sealed class ImportRejected(string message) : Exception(message);

/// <summary>
/// The ledger's bulk path: whole streams that were kept elsewhere (a county's records from before the
/// ledger, or the events.jsonl of an audit bundle) added in one transaction. The file holds one event
/// per line in the leaf layout of ops/docs/integrity.md — <c>stream</c>, <c>type</c> (a stored name
/// such as <c>progress_reported.v1</c>), <c>timestamp</c>, <c>actor</c> {<c>id</c>, <c>role</c>,
/// <c>government</c>}, <c>correlationId</c>, <c>causationId</c>, <c>data</c> — and optionally
/// <c>version</c> (checked: 1, 2, … within each stream, in file order) and <c>sequence</c> (ignored: the
/// ledger numbers what it stores).
///
/// The whole file is checked before anything is written: every line parses, names a known event
/// type whose data reads as that event, a stream of the ledger's kinds that the ledger does not hold
/// yet, a timestamp with its offset and an actor with a known role. Then every event is appended through
/// Marten's sessions (inline views included) inside one transaction that commits at the end: a failure
/// anywhere leaves the ledger as it was. The deciders are not run again: an import adds history that was
/// decided elsewhere, with its own actors and times. The Merkle log and the supervisors' views take the
/// new events up as they take any append.
/// </summary>
public sealed class LedgerImport(DocumentStore store)
{
    /// <summary>Events per session inside the transaction: bounds memory, not atomicity.</summary>
    public const int ChunkSize = 2_000;

    private static readonly string[] StreamKinds = ["government/", "agreement/", "commitment/", "evaluation/"];
    private static readonly IReadOnlyDictionary<string, Type> TypesByName = EventNames.All.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    private static readonly IReadOnlyDictionary<string, ActorRole> Roles =
        Enum.GetValues<ActorRole>().ToDictionary(r => r.ToString().ToLowerInvariant(), StringComparer.Ordinal);

    public sealed record Outcome(long Events, int Streams);

    /// <summary>One checked line, ready to append.</summary>
    private sealed record Line(string Stream, object Data, DateTimeOffset Timestamp, RequestContext Context);

    /// <summary>Checks the whole file, then appends it in one transaction. <paramref name="progress"/> gets (events appended, of).</summary>
    public async Task<Outcome> ImportAsync(string path, Action<long, long>? progress, CancellationToken ct)
    {
        var streams = await CheckAsync(path, ct);
        var total = streams.Values.Sum();
        await RefuseExistingAsync(streams.Keys, ct);

        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var started = new HashSet<string>(StringComparer.Ordinal);
        long appended = 0;
        var chunk = new List<Line>(ChunkSize);
        foreach (var (line, _, _) in Read(path))
        {
            chunk.Add(line);
            if (chunk.Count < ChunkSize) continue;
            appended += await AppendAsync(tx, chunk, started, ct);
            progress?.Invoke(appended, total);
        }
        appended += await AppendAsync(tx, chunk, started, ct);
        await tx.CommitAsync(ct);
        progress?.Invoke(appended, total);
        return new Outcome(appended, streams.Count);
    }

    /// <summary>The first pass: every line checked; the streams and how many events each gets.</summary>
    private static Task<Dictionary<string, long>> CheckAsync(string path, CancellationToken ct)
    {
        var streams = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (line, version, at) in Read(path))
        {
            ct.ThrowIfCancellationRequested();
            var next = streams.GetValueOrDefault(line.Stream) + 1;
            if (version is { } given && given != next)
                throw new ImportRejected($"{at}: version {given} of {line.Stream}, but it is event {next} of that stream in the file");
            streams[line.Stream] = next;
        }
        if (streams.Count == 0) throw new ImportRejected($"{path}: no events to import");
        return Task.FromResult(streams);
    }

    private async Task RefuseExistingAsync(IEnumerable<string> streams, CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            $"select id from \"{store.Options.Events.DatabaseSchemaName}\".mt_streams where id = any(@ids) order by id limit 3", connection);
        command.Parameters.AddWithValue("ids", streams.ToArray());
        var existing = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) existing.Add(reader.GetString(0));
        if (existing.Count > 0)
            throw new ImportRejected($"the ledger already holds {string.Join(", ", existing)}{(existing.Count == 3 ? ", …" : "")}; an import adds whole new streams only (nothing was written)");
    }

    private async Task<long> AppendAsync(NpgsqlTransaction tx, List<Line> chunk, HashSet<string> started, CancellationToken ct)
    {
        if (chunk.Count == 0) return 0;
        await using (var session = store.LightweightSession(SessionOptions.ForTransaction(tx)))
        {
            session.CorrelationId = null;
            session.CausationId = null;
            session.LastModifiedBy = null;
            // Grouped by stream in file order: one action per stream per chunk.
            foreach (var group in chunk.GroupBy(l => l.Stream, StringComparer.Ordinal))
            {
                var lines = group.ToList();
                var action = started.Add(group.Key)
                    ? session.Events.StartStream(group.Key, [.. lines.Select(l => l.Data)])
                    : session.Events.Append(group.Key, [.. lines.Select(l => l.Data)]);
                for (var i = 0; i < lines.Count; i++)
                {
                    var e = action.Events[i];
                    e.Timestamp = lines[i].Timestamp;
                    Envelope.Stamp(e, lines[i].Context);
                }
            }
            await session.SaveChangesAsync(ct);
        }
        var count = chunk.Count;
        chunk.Clear();
        return count;
    }

    /// <summary>Every line of the file, parsed and checked, with the version it names (if any).</summary>
    private static IEnumerable<(Line Line, long? Version, string At)> Read(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, new FileStreamOptions { BufferSize = 1 << 16 });
        var number = 0;
        while (reader.ReadLine() is { } text)
        {
            number++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            var at = $"{path}:{number}";
            var (line, version) = Parse(text, at);
            yield return (line, version, at);
        }
    }

    private static (Line, long?) Parse(string text, string at)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException ex)
        {
            throw new ImportRejected($"{at}: not a JSON object ({ex.Message})");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new ImportRejected($"{at}: not a JSON object");

            var stream = RequiredString(root, "stream", at);
            if (!StreamKinds.Any(k => stream.StartsWith(k, StringComparison.Ordinal) && stream.Length > k.Length))
                throw new ImportRejected($"{at}: stream '{stream}' is not one of the ledger's kinds ({string.Join(", ", StreamKinds.Select(k => k + "…"))})");
            var typeName = RequiredString(root, "type", at);
            if (!TypesByName.TryGetValue(typeName, out var type))
                throw new ImportRejected($"{at}: unknown event type '{typeName}'");
            var stamp = RequiredString(root, "timestamp", at);
            if (!DateTimeOffset.TryParse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var timestamp)
                || !(stamp.EndsWith('Z') || stamp.LastIndexOfAny(['+', '-']) > 10))
                throw new ImportRejected($"{at}: timestamp '{stamp}' is not an ISO 8601 time with its offset");

            if (!root.TryGetProperty("actor", out var actor) || actor.ValueKind != JsonValueKind.Object)
                throw new ImportRejected($"{at}: actor is missing (an object with id, role and, for a government, government)");
            var actorId = RequiredString(actor, "id", at, "actor.id");
            var roleName = RequiredString(actor, "role", at, "actor.role");
            if (!Roles.TryGetValue(roleName, out var role))
                throw new ImportRejected($"{at}: actor.role '{roleName}' is not one of {string.Join(", ", Roles.Keys)}");
            var government = OptionalString(actor, "government", at, "actor.government");
            if (role == ActorRole.Government && government is null)
                throw new ImportRejected($"{at}: actor.government is required when actor.role is government");

            if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
                throw new ImportRejected($"{at}: data is missing (the event's JSON object)");
            object? value;
            try
            {
                value = data.Deserialize(type, ImportJson.Options);
            }
            catch (JsonException ex)
            {
                throw new ImportRejected($"{at}: data does not read as {typeName} ({ex.Message})");
            }
            if (value is null) throw new ImportRejected($"{at}: data does not read as {typeName}");

            long? version = null;
            if (root.TryGetProperty("version", out var v) && v.ValueKind != JsonValueKind.Null)
            {
                if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out var n) || n < 1)
                    throw new ImportRejected($"{at}: version must be a whole number from 1");
                version = n;
            }

            var context = new RequestContext(
                new Actor(actorId, role, government),
                OptionalString(root, "correlationId", at) ?? $"import-{Guid.NewGuid():N}",
                OptionalString(root, "causationId", at));
            return (new Line(stream, value, timestamp, context), version);
        }
    }

    private static string RequiredString(JsonElement parent, string name, string at, string? label = null) =>
        OptionalString(parent, name, at, label) ?? throw new ImportRejected($"{at}: {label ?? name} is missing");

    private static string? OptionalString(JsonElement parent, string name, string at, string? label = null)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
            throw new ImportRejected($"{at}: {label ?? name} must be a non-empty string");
        return value.GetString();
    }
}

/// <summary>How event data is read from an import file: as the store writes it (camelCase, enums as strings), strictly.</summary>
internal static class ImportJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
    };
}
