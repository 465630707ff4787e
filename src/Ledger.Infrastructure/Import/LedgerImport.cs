using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Ledger.Contracts;
using Ledger.Domain;
using Ledger.Infrastructure.Store;
using Ledger.Infrastructure.Writing;
using Ledger.Projections;
using Marten;
using Marten.Services;
using Npgsql;
using NpgsqlTypes;

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
/// yet, a timestamp with its offset, an actor with a known role, and every agreement, government,
/// commitment or evaluation cycle an event names either in the ledger or earlier in the file (the
/// supervisors' views, like the deciders, rely on that). Then, inside one transaction that
/// commits at the end (a failure anywhere leaves the ledger as it was): the streams and then the events
/// are written by binary COPY in Marten's layout (data as the store's serializer writes it, the envelope
/// in the same columns and headers as every append, sequence numbers drawn from the store's own sequence
/// in file order), and each imported stream's inline record (commitment record, government, agreement)
/// is built once from its events by the projection the store runs inline. The deciders are not run
/// again: an import adds history that was decided elsewhere, with its own actors and times. The Merkle
/// log and the supervisors' views take the new events up as they take any append (they wait for the
/// import's transaction rather than skip its sequence numbers).
/// </summary>
public sealed class LedgerImport : IAsyncDisposable
{
    /// <summary>How often progress is reported, in events.</summary>
    public const int ProgressEvery = 5_000;

    /// <summary>Streams whose inline records are built per session.</summary>
    public const int RecordChunk = 200;

    private static readonly string[] StreamKinds = ["government/", "agreement/", "commitment/", "evaluation/"];
    private static readonly IReadOnlyDictionary<string, Type> TypesByName = EventNames.TypesByName;
    // The ids by which events name other streams, and the kind of stream each names.
    private static readonly (string Property, string Kind)[] ReferenceKinds =
    [
        ("CommitmentId", "commitment/"), ("AgreementId", "agreement/"), ("GovernmentId", "government/"),
        ("LeadGovernmentId", "government/"), ("CycleId", "evaluation/"),
    ];
    private static readonly ConcurrentDictionary<Type, (PropertyInfo Property, string Kind)[]> ReferencesOf = new();
    private static readonly IReadOnlyDictionary<string, ActorRole> Roles =
        Enum.GetValues<ActorRole>().ToDictionary(r => r.ToString().ToLowerInvariant(), StringComparer.Ordinal);


    private readonly DocumentStore _store;
    private readonly string _schema;

    public LedgerImport(string connectionString, string schema, TimeProvider time)
    {
        _store = LedgerStore.Create(connectionString, schema, time);
        _schema = schema;
        // The records built at the end must be every inline view there is.
        var inline = _store.Options.Projections.All.Where(p => p.Lifecycle == ProjectionLifecycle.Inline).Select(p => p.GetType().Name).Order().ToArray();
        string[] built = [nameof(CommitmentRecordProjection), nameof(ProgressReportRecordProjection), nameof(CommitmentActRecordProjection), nameof(GovernmentViewProjection), nameof(AgreementViewProjection)];
        if (!inline.SequenceEqual(built.Order()))
            throw new InvalidOperationException($"the import builds {string.Join(", ", built)} but the store's inline views are {string.Join(", ", inline)}");
    }

    /// <summary>What was imported, and how long each step took: checking the file, appending its events, building the records.</summary>
    /// <summary>What an import wrote, how long each part took, and the account events it left out (see <see cref="AccountStreams"/>).</summary>
    public sealed record Outcome(long Events, int Streams, TimeSpan Checking, TimeSpan Appending, TimeSpan Records, long AccountEventsLeftOut);

    /// <summary>
    /// Streams an import leaves out: accounts belong to the deployment that opened them, and their
    /// passwords are never in events; the importing ledger opens its own (<c>ledger user add</c>).
    /// </summary>
    public const string AccountStreams = "account/";

    /// <summary>One checked line, ready to append.</summary>
    private sealed record Line(string Stream, object Data, DateTimeOffset Timestamp, RequestContext Context);

    /// <summary>A stream of the file: how many events, the first and last event's time.</summary>
    private sealed record StreamSpan(long Events, DateTimeOffset First, DateTimeOffset Last);

    /// <summary>Checks the whole file, then appends it in one transaction. <paramref name="progress"/> gets (events appended, of).</summary>
    public async Task<Outcome> ImportAsync(string path, Action<long, long>? progress, CancellationToken ct)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await _store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        var (streams, outside, leftOut) = Check(path, ct);
        var total = streams.Values.Sum(s => s.Events);
        await RefuseExistingAsync(streams.Keys, outside, ct);
        var checking = clock.Elapsed;

        await using var connection = _store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var sequences = await NextSequencesAsync(connection, tx, total, ct);
        await CopyStreamsAsync(connection, streams, ct);
        var appended = await CopyEventsAsync(connection, path, sequences, progress, total, ct);
        var appending = clock.Elapsed - checking;
        foreach (var keys in streams.Keys.Chunk(RecordChunk))
            await BuildRecordsAsync(connection, tx, keys, ct);
        await tx.CommitAsync(ct);
        progress?.Invoke(appended, total);
        return new Outcome(appended, streams.Count, checking, appending, clock.Elapsed - checking - appending, leftOut);
    }

    /// <summary>
    /// The first pass: every line checked; the streams with their events' count and span, and the
    /// streams outside the file that lines refer to (each with the first line that does).
    /// </summary>
    private static (Dictionary<string, StreamSpan> Streams, OrderedDictionary<string, string> Outside, long LeftOut) Check(string path, CancellationToken ct)
    {
        var streams = new Dictionary<string, StreamSpan>(StringComparer.Ordinal);
        // In file order, so that the first line at fault is the one named.
        var outside = new OrderedDictionary<string, string>(StringComparer.Ordinal);
        long leftOut = 0;
        foreach (var (checkedLine, version, at) in Read(path))
        {
            ct.ThrowIfCancellationRequested();
            if (checkedLine is not { } line)
            {
                leftOut++;
                continue;
            }
            var span = streams.GetValueOrDefault(line.Stream);
            var next = (span?.Events ?? 0) + 1;
            if (version is { } given && given != next)
                throw new ImportRejected($"{at}: version {given} of {line.Stream}, but it is event {next} of that stream in the file");
            foreach (var (property, key) in References(line.Data))
            {
                if (key.StartsWith(Kind(line.Stream), StringComparison.Ordinal))
                {
                    // An id of the stream's own kind names the stream itself.
                    if (key != line.Stream)
                        throw new ImportRejected($"{at}: {property} names {key}, but the event is in {line.Stream}");
                }
                else if (!streams.ContainsKey(key))
                {
                    outside.TryAdd(key, at);
                }
            }
            streams[line.Stream] = new StreamSpan(next, span?.First ?? line.Timestamp, line.Timestamp);
        }
        if (streams.Count == 0)
            throw new ImportRejected(leftOut == 0 ? $"{path}: no events to import" : $"{path}: no events to import (its {leftOut} account events are never imported)");
        foreach (var (key, at) in outside)
        {
            if (streams.ContainsKey(key))
                throw new ImportRejected($"{at}: refers to {key}, which comes later in the file (what an event refers to must come before it)");
        }
        return (streams, outside, leftOut);
    }

    private static string Kind(string stream) => stream[..(stream.IndexOf('/', StringComparison.Ordinal) + 1)];

    /// <summary>The streams an event names through its ids (commitment, agreement, government, evaluation cycle), with the property that names each.</summary>
    private static IEnumerable<(string Property, string Stream)> References(object data)
    {
        foreach (var (property, kind) in ReferencesOf.GetOrAdd(data.GetType(), static type =>
            [.. ReferenceKinds
                .Select(r => (Property: type.GetProperty(r.Property), r.Kind))
                .Where(r => r.Property is not null && r.Property.PropertyType == typeof(string))
                .Select(r => (r.Property!, r.Kind))]))
        {
            if (property.GetValue(data) is string { Length: > 0 } id) yield return (property.Name, kind + id);
        }
    }

    private async Task RefuseExistingAsync(IEnumerable<string> streams, OrderedDictionary<string, string> outside, CancellationToken ct)
    {
        var existing = await ExistingAsync([.. streams], 3, ct);
        if (existing.Count > 0)
            throw new ImportRejected($"the ledger already holds {string.Join(", ", existing)}{(existing.Count == 3 ? ", …" : "")}; an import adds whole new streams only (nothing was written)");
        var found = await ExistingAsync([.. outside.Keys], outside.Count, ct);
        foreach (var (key, at) in outside)
        {
            if (!found.Contains(key))
                throw new ImportRejected($"{at}: refers to {key}, which is neither in the ledger nor earlier in the file (nothing was written)");
        }
    }

    private async Task<List<string>> ExistingAsync(string[] streams, int limit, CancellationToken ct)
    {
        if (streams.Length == 0) return [];
        await using var connection = _store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            $"select id from \"{_schema}\".mt_streams where id = any(@ids) order by id limit @limit", connection);
        command.Parameters.AddWithValue("ids", streams);
        command.Parameters.AddWithValue("limit", limit);
        var existing = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) existing.Add(reader.GetString(0));
        return existing;
    }

    /// <summary>Sequence numbers for every event, ascending, from the sequence every append draws from.</summary>
    private async Task<long[]> NextSequencesAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long count, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"select nextval('\"{_schema}\".mt_events_sequence') from generate_series(1, @n)", connection, tx);
        command.Parameters.AddWithValue("n", count);
        var sequences = new long[count];
        var i = 0;
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) sequences[i++] = reader.GetInt64(0);
        Array.Sort(sequences);
        return sequences;
    }

    private async Task CopyStreamsAsync(NpgsqlConnection connection, Dictionary<string, StreamSpan> streams, CancellationToken ct)
    {
        await using var copy = await connection.BeginBinaryImportAsync(
            $"copy \"{_schema}\".mt_streams (id, version, timestamp, created, tenant_id, is_archived) from stdin (format binary)", ct);
        foreach (var (id, span) in streams)
        {
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(id, NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(span.Events, NpgsqlDbType.Bigint, ct);
            await copy.WriteAsync(span.Last, NpgsqlDbType.TimestampTz, ct);
            await copy.WriteAsync(span.First, NpgsqlDbType.TimestampTz, ct);
            await copy.WriteAsync(RawEvents.DefaultTenant, NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(false, NpgsqlDbType.Boolean, ct);
        }
        await copy.CompleteAsync(ct);
    }

    /// <summary>The second pass: every event in file order, in the columns Marten's appends fill.</summary>
    private async Task<long> CopyEventsAsync(NpgsqlConnection connection, string path, long[] sequences, Action<long, long>? progress, long total, CancellationToken ct)
    {
        var serializer = _store.Options.Serializer();
        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        var dotNetNames = new Dictionary<Type, string>();
        await using var copy = await connection.BeginBinaryImportAsync(
            $"copy \"{_schema}\".mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, correlation_id, causation_id, headers, user_name, is_archived) from stdin (format binary)", ct);
        copy.Timeout = TimeSpan.FromHours(1);
        long i = 0;
        foreach (var (checkedLine, _, _) in Read(path))
        {
            if (checkedLine is not { } line) continue;
            var type = line.Data.GetType();
            if (!dotNetNames.TryGetValue(type, out var dotNet))
                dotNetNames[type] = dotNet = $"{type.FullName}, {type.Assembly.GetName().Name}";
            var version = versions[line.Stream] = versions.GetValueOrDefault(line.Stream) + 1;
            var actor = line.Context.Actor;
            var headers = new Dictionary<string, object> { [EnvelopeHeaders.ActorRole] = actor.Role.ToString().ToLowerInvariant() };
            if (actor.GovernmentId is { } government) headers[EnvelopeHeaders.ActorGovernment] = government;

            await copy.StartRowAsync(ct);
            await copy.WriteAsync(sequences[i], NpgsqlDbType.Bigint, ct);
            await copy.WriteAsync(Guid.CreateVersion7(line.Timestamp), NpgsqlDbType.Uuid, ct);
            await copy.WriteAsync(line.Stream, NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(version, NpgsqlDbType.Bigint, ct);
            await copy.WriteAsync(serializer.ToJson(line.Data), NpgsqlDbType.Jsonb, ct);
            await copy.WriteAsync(EventNames.NameOf(type), NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(line.Timestamp, NpgsqlDbType.TimestampTz, ct);
            await copy.WriteAsync(RawEvents.DefaultTenant, NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(dotNet, NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(line.Context.CorrelationId, NpgsqlDbType.Varchar, ct);
            if (line.Context.CausationId is { } causation) await copy.WriteAsync(causation, NpgsqlDbType.Varchar, ct);
            else await copy.WriteNullAsync(ct);
            await copy.WriteAsync(serializer.ToJson(headers), NpgsqlDbType.Jsonb, ct);
            await copy.WriteAsync(actor.Id, NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(false, NpgsqlDbType.Boolean, ct);
            if (++i % ProgressEvery == 0) progress?.Invoke(i, total);
        }
        await copy.CompleteAsync(ct);
        return i;
    }

    /// <summary>
    /// Each stream's inline record from its events, by the projection the store runs inline, and a
    /// commitment's report and act documents by theirs (<see cref="ProgressReportRecord.Fold"/>, <see cref="CommitmentActRecord.Fold"/>). The chunk's
    /// events are read back in one statement, only the columns a record is built from (the envelope's
    /// headers are not read), and their data read as the store reads it.
    /// </summary>
    private async Task BuildRecordsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<string> keys, CancellationToken ct)
    {
        var wanted = keys.Where(k => !k.StartsWith("evaluation/", StringComparison.Ordinal)).ToArray();
        if (wanted.Length == 0) return;
        await using var session = _store.LightweightSession(SessionOptions.ForTransaction(tx));
        var serializer = _store.Options.Serializer();
        var histories = new Dictionary<string, List<IEvent>>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand(
            $"select {RawEvents.Columns} from \"{_schema}\".mt_events where stream_id = any(@ids) order by seq_id", connection, tx))
        {
            command.Parameters.AddWithValue("ids", wanted);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var e = RawEvents.Read(reader, serializer, session);
                var stream = e.StreamKey!;
                if (!histories.TryGetValue(stream, out var history)) histories[stream] = history = [];
                history.Add(e);
            }
        }
        var reports = new List<ProgressReportRecord>();
        var acts = new List<CommitmentActRecord>();
        foreach (var (stream, history) in histories)
        {
            if (stream.StartsWith("commitment/", StringComparison.Ordinal))
            {
                await StoreRecordAsync<CommitmentRecord>(session, history, ct);
                reports.AddRange(ProgressReportRecord.Fold(history));
                acts.AddRange(CommitmentActRecord.Fold(history));
            }
            else if (stream.StartsWith("government/", StringComparison.Ordinal)) await StoreRecordAsync<GovernmentView>(session, history, ct);
            else if (stream.StartsWith("agreement/", StringComparison.Ordinal)) await StoreRecordAsync<AgreementView>(session, history, ct);
        }
        await session.SaveChangesAsync(ct);
        await CopyReportsAsync(connection, reports, ct);
        await CopyActsAsync(connection, acts, ct);
    }

    /// <summary>
    /// A commitment's report and act documents by binary COPY, in the same transaction: a stream holds as many
    /// reports as it has had (55,000 in the 100,000-event zone), and one upsert statement each was most of the
    /// time spent building records. The rows are those the inline projections write (ImportTests compares them):
    /// the columns <see cref="ProgressReportRecordQuery"/> and <see cref="CommitmentActRecordQuery"/> duplicate,
    /// and a count of one write. The streams are new (checked first), so no document is already there.
    /// </summary>
    private Task CopyReportsAsync(NpgsqlConnection connection, IReadOnlyList<ProgressReportRecord> reports, CancellationToken ct) =>
        CopyDocumentsAsync(connection, "mt_doc_progressreportrecord", reports, x => x.Id, ct,
            ("commitment_id", NpgsqlDbType.Varchar, x => x.CommitmentId),
            ("stream_version", NpgsqlDbType.Bigint, x => x.StreamVersion),
            ("period", NpgsqlDbType.Varchar, x => x.Period));

    private Task CopyActsAsync(NpgsqlConnection connection, IReadOnlyList<CommitmentActRecord> acts, CancellationToken ct) =>
        CopyDocumentsAsync(connection, "mt_doc_commitmentactrecord", acts, x => x.Id, ct,
            ("commitment_id", NpgsqlDbType.Varchar, x => x.CommitmentId),
            ("kind", NpgsqlDbType.Varchar, x => x.Kind),
            ("stream_version", NpgsqlDbType.Bigint, x => x.StreamVersion),
            ("open", NpgsqlDbType.Boolean, x => x.Open));

    private async Task CopyDocumentsAsync<T>(NpgsqlConnection connection, string table, IReadOnlyList<T> documents, Func<T, string> id, CancellationToken ct,
        params (string Column, NpgsqlDbType Type, Func<T, object> Value)[] duplicated)
    {
        if (documents.Count == 0) return;
        var serializer = _store.Options.Serializer();
        var type = typeof(T).FullName;
        var columns = string.Join(", ", ["id", "data", "mt_dotnet_type", "mt_version", .. duplicated.Select(d => d.Column)]);
        await using var copy = await connection.BeginBinaryImportAsync($"copy \"{_schema}\".{table} ({columns}) from stdin (format binary)", ct);
        foreach (var document in documents)
        {
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(id(document), NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(serializer.ToJson(document), NpgsqlDbType.Jsonb, ct);
            await copy.WriteAsync(type, NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(1L, NpgsqlDbType.Bigint, ct);
            foreach (var (_, dbType, value) in duplicated)
                await copy.WriteAsync(value(document), dbType, ct);
        }
        await copy.CompleteAsync(ct);
    }

    private async Task StoreRecordAsync<T>(IDocumentSession session, IReadOnlyList<IEvent> history, CancellationToken ct) where T : class
    {
        var record = await _store.Options.Projections.AggregatorFor<T>().BuildAsync(history, session, null, ct);
        if (record is not null) session.Store(record);
    }

    /// <summary>Every line of the file, parsed and checked, with the version it names (if any).</summary>
    private static IEnumerable<(Line? Line, long? Version, string At)> Read(string path)
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

    private static (Line?, long?) Parse(string text, string at)
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
            // Accounts belong to one ledger's deployment (their passwords live beside it, never in events):
            // a whole ledger's export holds them, and an import leaves them out and says how many.
            if (stream.StartsWith(AccountStreams, StringComparison.Ordinal)) return (null, null);
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

    public ValueTask DisposeAsync() => _store.DisposeAsync();
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
