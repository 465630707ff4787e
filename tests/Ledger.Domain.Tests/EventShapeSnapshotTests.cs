using System.Collections;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using Ledger.Contracts;

namespace Ledger.Domain.Tests;

/// <summary>
/// Each stored event's shape — its members as stored (camelCase), their JSON types and nullability,
/// the records inside it and every enum's names — against <c>EventShapes.txt</c>. Events already
/// written keep the shape they were written in, so a change here is never an edit in place: it is a
/// new stored name (<c>.v2</c>) with the old shape kept under its retired name and an upcast
/// (<see cref="EventNames.RetiredNames"/>). Adding a new event adds its lines. The file is
/// regenerated with LEDGER_WRITE_EVENT_SHAPES=1, and its diff is then what a reviewer reads.
/// </summary>
public sealed class EventShapeSnapshotTests
{
    [Fact]
    public void Every_stored_events_shape_matches_the_snapshot()
    {
        var actual = Describe();
        var path = SnapshotPath();
        if (Environment.GetEnvironmentVariable("LEDGER_WRITE_EVENT_SHAPES") == "1") File.WriteAllText(path, actual);

        Assert.True(File.Exists(path), $"{path} is missing: run the test once with LEDGER_WRITE_EVENT_SHAPES=1 and commit it");
        Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), actual);
    }

    [Fact]
    public void The_description_sees_a_member_added_renamed_retyped_or_made_optional()
    {
        var shape = Shape(typeof(EvidenceAttached), new Dictionary<string, Type>());

        Assert.Contains("  mediaType: string?", shape);
        Assert.Contains("  length: integer?", shape);
        Assert.Contains("  issuedOn: date", shape);
        Assert.Contains("  attachedAt: time", shape);
        Assert.Contains("  confidentiality: Confidentiality", shape);
        Assert.DoesNotContain("mediaType", Shape(typeof(EvidenceAttachedV1), new Dictionary<string, Type>()));
    }

    /// <summary>The whole snapshot: stored names (current and retired) in order, then the records and enums they use.</summary>
    internal static string Describe()
    {
        var text = new StringBuilder();
        var nested = new SortedDictionary<string, Type>(StringComparer.Ordinal);
        foreach (var (name, type) in EventNames.TypesByName.OrderBy(p => p.Key, StringComparer.Ordinal))
            text.Append($"event {name} ({type.Name})\n").Append(Shape(type, nested));
        // Records and enums inside events, each once, including those found inside them.
        var described = new HashSet<Type>();
        while (nested.Values.FirstOrDefault(t => !described.Contains(t)) is { } next)
        {
            described.Add(next);
            text.Append(next.IsEnum
                ? $"enum {next.Name}: {string.Join(", ", Enum.GetNames(next))}\n"
                : $"record {next.Name}\n{Shape(next, nested)}");
        }
        return text.ToString();
    }

    private static string Shape(Type type, IDictionary<string, Type> nested)
    {
        var nullability = new NullabilityInfoContext();
        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        var text = new StringBuilder();
        foreach (var parameter in constructor.GetParameters())
            text.Append($"  {Camel(parameter.Name!)}: {JsonType(parameter.ParameterType, nullability.Create(parameter), nested)}\n");
        return text.ToString();
    }

    private static string JsonType(Type type, NullabilityInfo info, IDictionary<string, Type> nested)
    {
        var optional = info.ReadState == NullabilityState.Nullable ? "?" : "";
        var bare = Nullable.GetUnderlyingType(type) ?? type;
        if (bare == typeof(string)) return "string" + optional;
        if (bare == typeof(bool)) return "boolean" + optional;
        if (bare == typeof(int) || bare == typeof(long)) return "integer" + optional;
        if (bare == typeof(decimal) || bare == typeof(double)) return "number" + optional;
        if (bare == typeof(DateOnly)) return "date" + optional;
        if (bare == typeof(DateTimeOffset)) return "time" + optional;
        if (bare == typeof(Guid)) return "uuid" + optional;
        if (bare.IsEnum)
        {
            nested[bare.Name] = bare;
            return bare.Name + optional;
        }
        if (bare.IsGenericType && bare.GetGenericTypeDefinition() is var definition
            && (definition == typeof(IReadOnlyDictionary<,>) || definition == typeof(IDictionary<,>) || definition == typeof(Dictionary<,>)))
            return $"{{string: {JsonType(bare.GetGenericArguments()[1], info.GenericTypeArguments[1], nested)}}}{optional}";
        if (bare != typeof(string) && typeof(IEnumerable).IsAssignableFrom(bare) && bare.IsGenericType)
            return $"[{JsonType(bare.GetGenericArguments()[0], info.GenericTypeArguments[0], nested)}]{optional}";
        if (bare.Namespace == "Ledger.Contracts" && bare.IsClass)
        {
            nested[bare.Name] = bare;
            return bare.Name + optional;
        }
        throw new InvalidOperationException($"{bare.FullName} has no JSON type in the snapshot's vocabulary: add one");
    }

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];

    private static string SnapshotPath([CallerFilePath] string here = "") => Path.Combine(Path.GetDirectoryName(here)!, "EventShapes.txt");
}
