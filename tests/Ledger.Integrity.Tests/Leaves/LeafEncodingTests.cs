using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CsCheck;
using Ledger.Integrity.Leaves;

namespace Ledger.Integrity.Tests.Leaves;

public sealed class LeafEncodingTests
{
    private static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    internal static LeafEnvelope Sample(JsonElement? data = null) => new(
        Sequence: 1234,
        Stream: "commitment-7f3a",
        Version: 3,
        Type: "progress_reported.v1",
        Timestamp: new DateTimeOffset(2025, 3, 14, 15, 9, 26, TimeSpan.FromHours(2)).AddTicks(5358979),
        ActorId: "user-17",
        ActorRole: "minister",
        ActorGovernment: "gov-north",
        CorrelationId: "corr-1",
        CausationId: null,
        Data: data ?? Json("""
            {
                "reportedBy": "minister",
                "progress": 42.50,
                "notes": "caf\u00e9 \"quoted\"\n",
                "tags": ["b", "a"],
                "amount": 1e3
            }
            """));

    // The worked example of ops/docs/integrity.md.
    internal const string SampleLeaf = """
        {"actor":{"government":"gov-north","id":"user-17","role":"minister"},"causationId":null,"correlationId":"corr-1","data":{"amount":1000,"notes":"café \"quoted\"\n","progress":42.5,"reportedBy":"minister","tags":["b","a"]},"sequence":1234,"stream":"commitment-7f3a","timestamp":"2025-03-14T13:09:26.535897Z","type":"progress_reported.v1","version":3}
        """;

    [Fact]
    public void A_fixed_envelope_encodes_to_exactly_these_bytes()
    {
        var leaf = LeafEncoding.Encode(Sample());

        Assert.Equal(SampleLeaf, Encoding.UTF8.GetString(leaf));
        Assert.Equal(Encoding.UTF8.GetBytes(SampleLeaf), leaf);
    }

    [Fact]
    public void The_documented_leaf_hash_is_sha256_of_zero_then_the_leaf()
    {
        var leaf = LeafEncoding.Encode(Sample());
        var hash = SHA256.HashData([0x00, .. leaf]);

        Assert.Equal(DocumentedLeafHash, Convert.ToHexStringLower(hash));
    }

    // Quoted in ops/docs/integrity.md; recomputed here so the document cannot drift from the code.
    private const string DocumentedLeafHash = "aa3151ca3a638f74528ca5ad568bcb72318c69dbceac8107954e47e3b827e659";

    [Fact]
    public void The_leaf_is_itself_canonical_json()
    {
        var leaf = LeafEncoding.Encode(Sample());

        Assert.Equal(leaf, CanonicalJson.Canonicalize(leaf));
    }

    [Fact]
    public void Key_order_and_whitespace_of_the_data_do_not_matter()
    {
        var compact = Json("""{"amount":1000,"notes":"café \"quoted\"\n","progress":42.5,"reportedBy":"minister","tags":["b","a"]}""");
        var shuffled = Json("""
            {   "tags" : [ "b" ,
                "a" ],  "progress":4.25e1, "amount": 1000.000,
              "reportedBy":"minister",
                     "notes":"caf\u00E9 \u0022quoted\u0022\u000a"
            }
            """);

        Assert.Equal(LeafEncoding.Encode(Sample()), LeafEncoding.Encode(Sample(compact)));
        Assert.Equal(LeafEncoding.Encode(Sample()), LeafEncoding.Encode(Sample(shuffled)));
    }

    [Fact]
    public void Array_order_in_the_data_does_matter()
    {
        var reordered = Json("""{"amount":1000,"notes":"café \"quoted\"\n","progress":42.5,"reportedBy":"minister","tags":["a","b"]}""");

        Assert.NotEqual(LeafEncoding.Encode(Sample()), LeafEncoding.Encode(Sample(reordered)));
    }

    [Theory]
    [InlineData(0L, "2025-03-14T13:09:26.000000Z")]
    [InlineData(9L, "2025-03-14T13:09:26.000000Z")]
    [InlineData(10L, "2025-03-14T13:09:26.000001Z")]
    [InlineData(5358979L, "2025-03-14T13:09:26.535897Z")]
    [InlineData(9999999L, "2025-03-14T13:09:26.999999Z")]
    public void Timestamps_are_utc_and_truncated_to_microseconds(long extraTicks, string expected)
    {
        var timestamp = new DateTimeOffset(2025, 3, 14, 15, 9, 26, TimeSpan.FromHours(2)).AddTicks(extraTicks);

        var leaf = Encoding.UTF8.GetString(LeafEncoding.Encode(Sample() with { Timestamp = timestamp }));

        Assert.Contains($"\"timestamp\":\"{expected}\"", leaf, StringComparison.Ordinal);
        Assert.Equal(expected, LeafEncoding.FormatTimestamp(timestamp));
        Assert.Equal(expected, LeafEncoding.TruncateToMicroseconds(timestamp).ToString(LeafEncoding.TimestampFormat, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void The_same_instant_in_any_offset_gives_the_same_leaf()
    {
        var utc = new DateTimeOffset(2024, 12, 31, 23, 59, 59, TimeSpan.Zero).AddTicks(1234567);
        var elsewhere = utc.ToOffset(TimeSpan.FromHours(-7.5));

        Assert.Equal(LeafEncoding.Encode(Sample() with { Timestamp = utc }), LeafEncoding.Encode(Sample() with { Timestamp = elsewhere }));
        Assert.Contains("\"timestamp\":\"2024-12-31T23:59:59.123456Z\"", Encoding.UTF8.GetString(LeafEncoding.Encode(Sample() with { Timestamp = elsewhere })), StringComparison.Ordinal);
    }

    [Fact]
    public void Extreme_timestamps_keep_the_fixed_layout()
    {
        Assert.Equal("0001-01-01T00:00:00.000000Z", LeafEncoding.FormatTimestamp(DateTimeOffset.MinValue));
        Assert.Contains("\"timestamp\":\"9999-12-31T23:59:59.999999Z\"", Encoding.UTF8.GetString(LeafEncoding.Encode(Sample() with { Timestamp = DateTimeOffset.MaxValue })), StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_actor_and_ids_are_encoded_as_null()
    {
        var envelope = Sample() with { ActorId = null, ActorRole = null, ActorGovernment = null, CorrelationId = null, CausationId = null, Data = Json("null") };

        Assert.Equal(
            """
            {"actor":{"government":null,"id":null,"role":null},"causationId":null,"correlationId":null,"data":null,"sequence":1234,"stream":"commitment-7f3a","timestamp":"2025-03-14T13:09:26.535897Z","type":"progress_reported.v1","version":3}
            """,
            Encoding.UTF8.GetString(LeafEncoding.Encode(envelope)));
    }

    [Fact]
    public void Envelope_strings_are_escaped_as_jcs_strings()
    {
        var envelope = Sample() with { Stream = "a\"b\\c/d\u0001é", ActorId = "line\nbreak", CausationId = "tab\t😂" };

        var leaf = Encoding.UTF8.GetString(LeafEncoding.Encode(envelope));

        Assert.Contains("\"stream\":\"a\\\"b\\\\c/d\\u0001é\"", leaf, StringComparison.Ordinal);
        Assert.Contains("\"id\":\"line\\nbreak\"", leaf, StringComparison.Ordinal);
        Assert.Contains("\"causationId\":\"tab\\t😂\"", leaf, StringComparison.Ordinal);
        Assert.Equal(Encoding.UTF8.GetBytes(leaf), CanonicalJson.Canonicalize(Encoding.UTF8.GetBytes(leaf)));
    }

    [Fact]
    public void Integers_must_be_exact_doubles()
    {
        Assert.Contains("\"sequence\":9007199254740992", Encoding.UTF8.GetString(LeafEncoding.Encode(Sample() with { Sequence = 1L << 53 })), StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => LeafEncoding.Encode(Sample() with { Sequence = (1L << 53) + 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => LeafEncoding.Encode(Sample() with { Version = long.MinValue }));
    }

    [Fact]
    public void Invalid_data_is_refused()
    {
        Assert.Throws<JsonException>(() => LeafEncoding.Encode(Sample(Json("""{"a":1,"a":2}"""))));
        Assert.Throws<JsonException>(() => LeafEncoding.Encode(Sample() with { Data = default }));
        Assert.Throws<JsonException>(() => LeafEncoding.Encode(Sample() with { ActorRole = "\ud800" }));
    }

    [Fact]
    public void Writing_to_a_buffer_gives_the_same_bytes()
    {
        var buffer = new ArrayBufferWriter<byte>(1);

        LeafEncoding.Write(buffer, Sample());

        Assert.Equal(LeafEncoding.Encode(Sample()), buffer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Large_data_is_encoded_whole()
    {
        var items = string.Join(",", Enumerable.Range(0, 5000).Select(i => $$"""{"i":{{i}},"s":"élément {{i}}"}"""));
        var data = Json($$"""{"items":[{{items}}]}""");

        var leaf = LeafEncoding.Encode(Sample(data));

        using var parsed = JsonDocument.Parse(leaf);
        Assert.Equal(5000, parsed.RootElement.GetProperty("data").GetProperty("items").GetArrayLength());
        Assert.Equal(leaf, CanonicalJson.Canonicalize(leaf));
    }

    [Fact]
    public void Every_envelope_encodes_to_canonical_json_that_carries_its_fields() =>
        Gen.Select(
                Gen.Select(Gen.Long[0, LeafEncoding.MaxExactInteger], Gen.Long[0, int.MaxValue], JsonTree.Strings, JsonTree.Strings),
                Gen.Select(Gen.Long[DateTimeOffset.MinValue.UtcTicks, DateTimeOffset.MaxValue.UtcTicks], Gen.Int[-14 * 60, 14 * 60]),
                Gen.Select(JsonTree.Strings.Null(), JsonTree.Strings.Null(), JsonTree.Strings.Null(), JsonTree.Strings.Null(), JsonTree.Strings.Null()),
                Gen.Select(JsonTree.Values, Gen.Int, Gen.Int))
            .Sample((ids, time, optional, data) =>
            {
                var (sequence, version, stream, type) = ids;
                var utc = new DateTimeOffset(time.Item1, TimeSpan.Zero);
                var offset = TimeSpan.FromMinutes(time.Item2);
                var timestamp = utc.Year is > 1 and < 9999 ? utc.ToOffset(offset) : utc;
                var (tree, seed1, seed2) = data;
                var envelope = new LeafEnvelope(sequence, stream, version, type, timestamp,
                    optional.Item1, optional.Item2, optional.Item3, optional.Item4, optional.Item5, Json(tree.Render(seed1)));

                var leaf = LeafEncoding.Encode(envelope);

                Assert.Equal(leaf, CanonicalJson.Canonicalize(leaf));
                Assert.Equal(leaf, LeafEncoding.Encode(envelope with { Data = Json(tree.Render(seed2)) }));
                using var parsed = JsonDocument.Parse(leaf);
                var root = parsed.RootElement;
                Assert.Equal(sequence, root.GetProperty("sequence").GetInt64());
                Assert.Equal(version, root.GetProperty("version").GetInt64());
                Assert.Equal(stream, root.GetProperty("stream").GetString());
                Assert.Equal(type, root.GetProperty("type").GetString());
                Assert.Equal(optional.Item1, root.GetProperty("actor").GetProperty("id").GetString());
                Assert.Equal(optional.Item2, root.GetProperty("actor").GetProperty("role").GetString());
                Assert.Equal(optional.Item3, root.GetProperty("actor").GetProperty("government").GetString());
                Assert.Equal(optional.Item4, root.GetProperty("correlationId").GetString());
                Assert.Equal(optional.Item5, root.GetProperty("causationId").GetString());
                var stamped = DateTime.ParseExact(root.GetProperty("timestamp").GetString()!, LeafEncoding.TimestampFormat, CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
                Assert.Equal(utc.UtcTicks - utc.UtcTicks % 10, stamped.Ticks);
                Assert.True(tree.Matches(root.GetProperty("data")));
            }, iter: 1000);
}
