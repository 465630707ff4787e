using System.Buffers;
using System.Globalization;

namespace Ledger.Integrity.Leaves;

/// <summary>
/// The leaf bytes of one committed event: the RFC 8785 canonical JSON of
/// <code>
/// {"sequence": n, "stream": s, "version": n, "type": s, "timestamp": "yyyy-MM-ddTHH:mm:ss.ffffffZ",
///  "actor": {"id": s|null, "role": s|null, "government": s|null},
///  "correlationId": s|null, "causationId": s|null, "data": &lt;the event's JSON as stored&gt;}
/// </code>
/// which, canonicalized, has its members in the order actor, causationId, correlationId, data, sequence,
/// stream, timestamp, type, version. The timestamp is UTC, truncated (not rounded) to whole microseconds,
/// the precision PostgreSQL stores. ops/docs/integrity.md tells third parties how to recompute it.
/// </summary>
public static class LeafEncoding
{
    /// <summary>The largest integer magnitude an IEEE-754 double (and so a JCS number) holds exactly: 2^53.</summary>
    public const long MaxExactInteger = 1L << 53;

    /// <summary>The timestamp layout (also an invariant-culture .NET custom format string producing it).</summary>
    public const string TimestampFormat = "yyyy-MM-ddTHH:mm:ss.ffffffZ";

    /// <summary>The leaf bytes of <paramref name="envelope"/>.</summary>
    public static byte[] Encode(LeafEnvelope envelope)
    {
        using var buffer = new PooledByteWriter(1024);
        Write(buffer, envelope);
        return buffer.ToArray();
    }

    /// <summary>Writes the leaf bytes of <paramref name="envelope"/> to <paramref name="output"/> (to hash them without a copy).</summary>
    public static void Write(IBufferWriter<byte> output, LeafEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(envelope.Stream);
        ArgumentNullException.ThrowIfNull(envelope.Type);

        // Members in UTF-16 code unit order, as RFC 8785 sorts them; the names need no escaping.
        CanonicalJson.WriteRaw(output, "{\"actor\":{\"government\":"u8);
        WriteNullableString(output, envelope.ActorGovernment);
        CanonicalJson.WriteRaw(output, ",\"id\":"u8);
        WriteNullableString(output, envelope.ActorId);
        CanonicalJson.WriteRaw(output, ",\"role\":"u8);
        WriteNullableString(output, envelope.ActorRole);
        CanonicalJson.WriteRaw(output, "},\"causationId\":"u8);
        WriteNullableString(output, envelope.CausationId);
        CanonicalJson.WriteRaw(output, ",\"correlationId\":"u8);
        WriteNullableString(output, envelope.CorrelationId);
        CanonicalJson.WriteRaw(output, ",\"data\":"u8);
        CanonicalJson.Write(output, envelope.Data);
        CanonicalJson.WriteRaw(output, ",\"sequence\":"u8);
        WriteInteger(output, envelope.Sequence, nameof(LeafEnvelope.Sequence));
        CanonicalJson.WriteRaw(output, ",\"stream\":"u8);
        CanonicalJson.WriteString(output, envelope.Stream);
        CanonicalJson.WriteRaw(output, ",\"timestamp\":"u8);
        WriteTimestamp(output, envelope.Timestamp);
        CanonicalJson.WriteRaw(output, ",\"type\":"u8);
        CanonicalJson.WriteString(output, envelope.Type);
        CanonicalJson.WriteRaw(output, ",\"version\":"u8);
        WriteInteger(output, envelope.Version, nameof(LeafEnvelope.Version));
        CanonicalJson.WriteByte(output, (byte)'}');
    }

    /// <summary><paramref name="timestamp"/> in UTC, truncated to whole microseconds.</summary>
    public static DateTime TruncateToMicroseconds(DateTimeOffset timestamp)
    {
        var ticks = timestamp.UtcTicks;
        return new DateTime(ticks - ticks % 10, DateTimeKind.Utc);
    }

    /// <summary>The <c>timestamp</c> member's value (without quotes) for <paramref name="timestamp"/>.</summary>
    public static string FormatTimestamp(DateTimeOffset timestamp) =>
        TruncateToMicroseconds(timestamp).ToString(TimestampFormat, CultureInfo.InvariantCulture);

    private static void WriteNullableString(IBufferWriter<byte> output, string? value)
    {
        if (value is null)
            CanonicalJson.WriteRaw(output, "null"u8);
        else
            CanonicalJson.WriteString(output, value);
    }

    private static void WriteInteger(IBufferWriter<byte> output, long value, string name)
    {
        // Beyond 2^53 a JCS number would be rounded to a nearby double, and two events could share a leaf.
        if (value is > MaxExactInteger or < -MaxExactInteger)
            throw new ArgumentOutOfRangeException(name, value, "Leaf integers must be within ±2^53 to be exact JSON numbers.");
        var span = output.GetSpan(20);
        value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
        output.Advance(written);
    }

    private static void WriteTimestamp(IBufferWriter<byte> output, DateTimeOffset timestamp)
    {
        var utc = TruncateToMicroseconds(timestamp);
        var microseconds = (int)(utc.Ticks % TimeSpan.TicksPerSecond / 10);
        // "yyyy-MM-ddTHH:mm:ss.ffffffZ" with quotes: 29 bytes.
        var span = output.GetSpan(29);
        span[0] = (byte)'"';
        Digits(span.Slice(1, 4), utc.Year);
        span[5] = (byte)'-';
        Digits(span.Slice(6, 2), utc.Month);
        span[8] = (byte)'-';
        Digits(span.Slice(9, 2), utc.Day);
        span[11] = (byte)'T';
        Digits(span.Slice(12, 2), utc.Hour);
        span[14] = (byte)':';
        Digits(span.Slice(15, 2), utc.Minute);
        span[17] = (byte)':';
        Digits(span.Slice(18, 2), utc.Second);
        span[20] = (byte)'.';
        Digits(span.Slice(21, 6), microseconds);
        span[27] = (byte)'Z';
        span[28] = (byte)'"';
        output.Advance(29);
    }

    private static void Digits(Span<byte> destination, int value)
    {
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + value % 10);
            value /= 10;
        }
    }
}
