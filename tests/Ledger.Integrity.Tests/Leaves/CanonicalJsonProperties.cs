using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using CsCheck;
using Ledger.Integrity.Leaves;

namespace Ledger.Integrity.Tests.Leaves;

/// <summary>A JSON value as a tree, to generate documents and to write them out in many equivalent spellings.</summary>
internal abstract record JsonTree
{
    public sealed record Null : JsonTree;
    public sealed record Bool(bool Value) : JsonTree;
    public sealed record Number(double Value) : JsonTree;
    public sealed record Text(string Value) : JsonTree;
    public sealed record Array(JsonTree[] Items) : JsonTree;
    public sealed record Object((string Name, JsonTree Value)[] Members) : JsonTree;

    // Characters that stress escaping and UTF-16 ordering: controls, quotes, '/', DEL, Latin-1, BMP above the
    // surrogates (U+E000, U+FFFF), and supplementary characters (surrogate pairs) that sort before them.
    private static readonly string[] Pieces =
    [
        "a", "b", "z", "A", "Z", "0", "1", " ", "\"", "\\", "/", "\0", "\u0001", "\u001f", "\b", "\t", "\n", "\f", "\r",
        "\u007f", "\u0080", "é", "ö", "€", "\u2028", "\ud7ff", "\ue000", "\ufb33", "\uffff", "😂", "𐀀", "\U0010ffff", "<", ">", "&", "'",
    ];

    public static readonly Gen<string> Strings = Gen.Int[0, Pieces.Length - 1].Array[0, 6]
        .Select(indexes => string.Concat(indexes.Select(i => Pieces[i])));

    public static readonly Gen<double> Doubles = Gen.Frequency(
        (3, Gen.Double.Where(double.IsFinite)),
        (2, Gen.Int[-1000, 1000].Select(i => (double)i)),
        (2, Gen.Select(Gen.Long, Gen.Int[-30, 30]).Select(t => t.Item1 * Math.Pow(10, t.Item2)).Where(double.IsFinite)),
        (1, Gen.Int[0, 99999].Select(i => i / 1000.0)),
        (1, Gen.Const(-0.0)));

    public static readonly Gen<JsonTree> Values = Gen.Recursive<JsonTree>((depth, self) =>
    {
        var leaf = Gen.Frequency(
            (1, Gen.Const<JsonTree>(new Null())),
            (1, Gen.Bool.Select(b => (JsonTree)new Bool(b))),
            (3, Doubles.Select(d => (JsonTree)new Number(d))),
            (3, Strings.Select(s => (JsonTree)new Text(s))));
        if (depth >= 4)
            return leaf;
        return Gen.Frequency(
            (3, leaf),
            (1, self.Array[0, 4].Select(items => (JsonTree)new Array(items))),
            (2, Gen.Select(Strings, self).Array[0, 6]
                .Select(members => (JsonTree)new Object(members.DistinctBy(m => m.Item1, StringComparer.Ordinal).ToArray()))));
    });

    /// <summary>Writes the tree as JSON: members shuffled, indentation, escaping and number spelling chosen at random.</summary>
    public string Render(int seed)
    {
        var random = new Random(seed);
        using var stream = new MemoryStream();
        var options = new JsonWriterOptions
        {
            Indented = random.Next(2) == 0,
            Encoder = random.Next(2) == 0 ? JavaScriptEncoder.Default : JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            SkipValidation = true,
        };
        using (var writer = new Utf8JsonWriter(stream, options))
            Write(writer, this, random);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Write(Utf8JsonWriter writer, JsonTree tree, Random random)
    {
        switch (tree)
        {
            case Null:
                writer.WriteNullValue();
                break;
            case Bool b:
                writer.WriteBooleanValue(b.Value);
                break;
            case Number n:
                switch (random.Next(3))
                {
                    case 0: writer.WriteNumberValue(n.Value); break;
                    case 1: writer.WriteRawValue(n.Value.ToString("E16", CultureInfo.InvariantCulture), skipInputValidation: true); break;
                    default: writer.WriteRawValue(n.Value.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e", StringComparison.Ordinal), skipInputValidation: true); break;
                }
                break;
            case Text t:
                writer.WriteStringValue(t.Value);
                break;
            case Array a:
                writer.WriteStartArray();
                foreach (var item in a.Items)
                    Write(writer, item, random);
                writer.WriteEndArray();
                break;
            case Object o:
                writer.WriteStartObject();
                foreach (var (name, value) in o.Members.OrderBy(_ => random.Next()))
                {
                    writer.WritePropertyName(name);
                    Write(writer, value, random);
                }
                writer.WriteEndObject();
                break;
        }
    }

    /// <summary>Whether <paramref name="element"/> denotes this tree (members in any order, -0 equal to 0).</summary>
    public bool Matches(JsonElement element) => this switch
    {
        Null => element.ValueKind == JsonValueKind.Null,
        Bool b => element.ValueKind == (b.Value ? JsonValueKind.True : JsonValueKind.False),
        Number n => element.ValueKind == JsonValueKind.Number && element.GetDouble() == n.Value,
        Text t => element.ValueKind == JsonValueKind.String && element.GetString() == t.Value,
        Array a => element.ValueKind == JsonValueKind.Array && element.GetArrayLength() == a.Items.Length
            && a.Items.Zip(element.EnumerateArray()).All(p => p.First.Matches(p.Second)),
        Object o => element.ValueKind == JsonValueKind.Object && element.GetPropertyCount() == o.Members.Length
            && o.Members.All(m => element.EnumerateObject().Any(p => p.Name == m.Name && m.Value.Matches(p.Value))),
        _ => false,
    };
}

public sealed class CanonicalJsonProperties
{
    private static string Canonical(string json) => Encoding.UTF8.GetString(CanonicalJson.Canonicalize(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void Member_order_whitespace_escaping_and_number_spelling_never_change_the_output() =>
        Gen.Select(JsonTree.Values, Gen.Int, Gen.Int).Sample(
            (tree, seed1, seed2) => Assert.Equal(Canonical(tree.Render(seed1)), Canonical(tree.Render(seed2))),
            iter: 2000);

    [Fact]
    public void Canonicalizing_twice_changes_nothing() =>
        Gen.Select(JsonTree.Values, Gen.Int).Sample(
            (tree, seed) =>
            {
                var once = Canonical(tree.Render(seed));
                Assert.Equal(once, Canonical(once));
            },
            iter: 2000);

    [Fact]
    public void The_output_means_what_the_input_meant_and_its_members_are_sorted() =>
        Gen.Select(JsonTree.Values, Gen.Int).Sample(
            (tree, seed) =>
            {
                var canonical = Canonical(tree.Render(seed));
                using var document = JsonDocument.Parse(canonical);
                Assert.True(tree.Matches(document.RootElement), canonical);
                AssertSorted(document.RootElement);
            },
            iter: 2000);

    [Fact]
    public void Every_finite_double_round_trips_through_its_canonical_form() =>
        JsonTree.Doubles.Sample(
            value =>
            {
                var text = CanonicalJson.FormatNumber(value);
                var parsed = double.Parse(text, CultureInfo.InvariantCulture);
                Assert.Equal(value == 0 ? 0 : value, parsed);
                Assert.Equal(text, CanonicalJson.FormatNumber(parsed));
                // However the same double is spelled in JSON, the canonical form is the same.
                Assert.Equal(text, Canonical(value.ToString("E16", CultureInfo.InvariantCulture)));
                Assert.Equal(text, Canonical(value.ToString("R", CultureInfo.InvariantCulture)));
                Assert.DoesNotContain('E', text);
                Assert.False(text.Contains('.', StringComparison.Ordinal) && text.EndsWith('0') && !text.Contains('e', StringComparison.Ordinal), text);
            },
            iter: 20000);

    [Fact]
    public void Names_compare_in_utf8_exactly_as_their_utf16_forms_compare() =>
        Gen.Select(JsonTree.Strings, JsonTree.Strings).Sample((a, b) =>
        {
            var expected = Math.Sign(string.CompareOrdinal(a, b));
            Assert.Equal(expected, Math.Sign(CanonicalJson.CompareUtf16Order(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b))));
            // And with a shared prefix, so that the first difference falls inside the strings.
            Assert.Equal(expected, Math.Sign(CanonicalJson.CompareUtf16Order(Encoding.UTF8.GetBytes("é😂" + a), Encoding.UTF8.GetBytes("é😂" + b))));
        }, iter: 20000);

    [Fact]
    public void Numbers_copied_as_written_are_exactly_those_the_full_formatting_would_write() =>
        Gen.Select(Gen.Bool, Gen.Int[0, 3], Gen.Long[0, 999_999_999_999_999_999], Gen.Int[0, 9], Gen.Long[0, 99_999_999_999]).Sample((negative, shape, whole, zeros, fraction) =>
        {
            var integer = shape switch { 0 => "0", 1 => (whole % 1000).ToString(CultureInfo.InvariantCulture), _ => whole.ToString(CultureInfo.InvariantCulture) };
            var text = (negative ? "-" : "") + integer + (shape == 3 ? "" : "." + new string('0', zeros) + fraction.ToString(CultureInfo.InvariantCulture));
            var viaDouble = CanonicalJson.FormatNumber(double.Parse(text, CultureInfo.InvariantCulture));

            Assert.Equal(viaDouble, Canonical(text));
            if (CanonicalJson.IsCanonicalAsWritten(Encoding.ASCII.GetBytes(text)))
                Assert.Equal(viaDouble, text);
        }, iter: 50000);

    private static void AssertSorted(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            string? previous = null;
            foreach (var member in element.EnumerateObject())
            {
                Assert.True(previous is null || string.CompareOrdinal(previous, member.Name) < 0);
                previous = member.Name;
                AssertSorted(member.Value);
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
                AssertSorted(item);
        }
    }
}
