using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using JasperFx.Events;
using Ledger.Contracts;
using Ledger.Integrity.Leaves;
using Ledger.Projections;

namespace Ledger.Infrastructure.Audit;

/// <summary>
/// A bundle's <c>commitments.csv</c>, derived from the events it holds: each commitment stream's leaves (the
/// lines of <c>events.jsonl</c>) folded through the commitment record's own projection
/// (<see cref="CommitmentRecordProjection"/>), with no database. The exporter writes the file this way and
/// <c>export verify</c> recomputes it the same way, so a row edited in the file, or an event removed from it,
/// shows. Only a whole-stream bundle can be folded: a time window starts streams past their first event.
/// </summary>
public sealed class CommitmentFold
{
    /// <summary>The header line of <c>commitments.csv</c>.</summary>
    public const string Header =
        "commitment_id,agreement_id,lead_government_id,lead_department,result_type,title,description,deadline,status," +
        "contributors,milestones,completion,confidence,risk,registered_at,last_updated_at,version\n";

    private const string CommitmentStreamPrefix = "commitment/";

    private static readonly CommitmentRecordProjection Projection = new();

    private static readonly IReadOnlyDictionary<string, Type> EventTypes = EventNames.TypesByName;

    // The projection's Create(IEvent<T>) and Apply(IEvent<T>, CommitmentRecord) by event type, as Marten finds them.
    private static readonly IReadOnlyDictionary<Type, MethodInfo> Creates = Methods("Create", 1);
    private static readonly IReadOnlyDictionary<Type, MethodInfo> Applies = Methods("Apply", 2);

    // The events' JSON as Marten stores it: camelCase members, enums by name.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly SortedDictionary<string, CommitmentRecord> _records = new(StringComparer.Ordinal);

    /// <summary>
    /// Folds one leaf (an <c>events.jsonl</c> line) into its commitment's record; leaves of other streams are
    /// passed over. Throws <see cref="FormatException"/> when a commitment event cannot be read.
    /// </summary>
    public void Add(ReadOnlySpan<byte> leaf)
    {
        using var document = Parse(leaf);
        var root = document.RootElement;
        var stream = root.GetProperty("stream").GetString() ?? "";
        if (!stream.StartsWith(CommitmentStreamPrefix, StringComparison.Ordinal))
            return;
        var type = root.GetProperty("type").GetString() ?? "";
        var version = root.GetProperty("version").GetInt64();
        if (!EventTypes.TryGetValue(type, out var clrType))
            throw new FormatException($"{stream} version {version} is of the event type {type}, which this ledger does not know");

        // A retired shape is read as the current one, as the store reads it (EventNames.RetiredNames).
        var data = EventNames.Current(root.GetProperty("data").Deserialize(clrType, Json)
            ?? throw new FormatException($"{stream} version {version} has no data"));
        clrType = data.GetType();
        var e = (IEvent)Activator.CreateInstance(typeof(Event<>).MakeGenericType(clrType), data)!;
        e.StreamKey = stream;
        e.Version = version;
        e.Sequence = root.GetProperty("sequence").GetInt64();
        e.Timestamp = DateTimeOffset.ParseExact(root.GetProperty("timestamp").GetString() ?? "", LeafEncoding.TimestampFormat,
            CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
        e.EventTypeName = type;

        if (_records.TryGetValue(stream, out var record))
        {
            if (Applies.TryGetValue(clrType, out var apply))
                Invoke(apply, [e, record]);
        }
        else if (Creates.TryGetValue(clrType, out var create))
        {
            record = (CommitmentRecord)Invoke(create, [e])!;
            record.History = null; // The file shows no field versions: a bundle's worth of them is not kept.
            _records[stream] = record;
        }
        else
        {
            return; // Nothing to fold before the commitment is registered, as the projection itself does.
        }
        record.Version = version;
    }

    /// <summary>The file's lines, the header first and then one row per commitment in stream order.</summary>
    public IEnumerable<string> Lines()
    {
        yield return Header;
        foreach (var record in _records.Values)
            yield return Row(record);
    }

    private static string Row(CommitmentRecord r)
    {
        string[] cells =
        [
            r.CommitmentId, r.AgreementId, r.LeadGovernmentId, r.LeadDepartment, r.ResultType.ToString(), r.Title, r.Description,
            r.Deadline.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), r.Status,
            string.Join(';', r.Contributors.OrderBy(c => c.GovernmentId, StringComparer.Ordinal)
                .Select(c => c.GovernmentId + ":" + c.SharePercent.ToString(CultureInfo.InvariantCulture))),
            string.Join(';', r.Milestones.Select(m => m.Definition.MilestoneId + ":" + m.Status)),
            r.Completion?.ToString() ?? "", r.Confidence?.ToString() ?? "", r.Risk?.ToString() ?? "",
            LeafEncoding.FormatTimestamp(r.RegisteredAt), LeafEncoding.FormatTimestamp(r.LastUpdatedAt),
            r.Version.ToString(CultureInfo.InvariantCulture),
        ];
        return string.Join(',', cells.Select(AuditBundle.Csv)) + "\n";
    }

    private static JsonDocument Parse(ReadOnlySpan<byte> leaf)
    {
        try
        {
            return JsonDocument.Parse(leaf.ToArray());
        }
        catch (JsonException ex)
        {
            throw new FormatException("an event line is not JSON: " + ex.Message, ex);
        }
    }

    private static object? Invoke(MethodInfo method, object[] arguments)
    {
        try
        {
            return method.Invoke(Projection, arguments);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw new FormatException($"the commitment record's projection refused an event: {ex.InnerException.Message}", ex.InnerException);
        }
    }

    private static Dictionary<Type, MethodInfo> Methods(string name, int parameters) =>
        typeof(CommitmentRecordProjection).GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.Name == name && m.GetParameters().Length == parameters
                && m.GetParameters()[0].ParameterType is { IsGenericType: true } p && p.GetGenericTypeDefinition() == typeof(IEvent<>)
                && (parameters == 1 || m.GetParameters()[1].ParameterType == typeof(CommitmentRecord)))
            .ToDictionary(m => m.GetParameters()[0].ParameterType.GetGenericArguments()[0]);
}
