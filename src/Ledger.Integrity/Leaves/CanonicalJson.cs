using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Ledger.Integrity.Leaves;

/// <summary>
/// The JSON Canonicalization Scheme of RFC 8785 (JCS): one byte sequence per JSON value.
/// <list type="bullet">
/// <item>Object members sorted by the UTF-16 code units of their (unescaped) names; duplicate names are an error.</item>
/// <item>No whitespace between tokens.</item>
/// <item>Strings as UTF-8, escaping only <c>"</c>, <c>\</c> and U+0000–U+001F (<c>\b \t \n \f \r</c>,
/// otherwise <c>\u00xx</c> in lower-case hex); non-ASCII and <c>/</c> are written as they are.
/// Unpaired surrogates and invalid UTF-8 are errors.</item>
/// <item>Numbers as the IEEE-754 double they denote, written as ECMAScript's <c>Number.prototype.toString</c>
/// writes it (<c>1e+21</c>, <c>1e-7</c>, <c>0.000001</c>, <c>4.5</c>, <c>-0</c> → <c>0</c>).</item>
/// <item>Literals <c>true</c>, <c>false</c>, <c>null</c>.</item>
/// </list>
/// Every violation is reported as a <see cref="JsonException"/>.
/// </summary>
public static class CanonicalJson
{
    /// <summary>How deep arrays and objects may nest (JsonDocument itself stops at 64 by default).</summary>
    public const int MaxDepth = 256;

    private const int MaxNumberLength = 32;

    /// <summary>The canonical UTF-8 bytes of <paramref name="element"/>.</summary>
    public static byte[] Canonicalize(JsonElement element)
    {
        using var buffer = new PooledByteWriter();
        Write(buffer, element);
        return buffer.ToArray();
    }

    /// <summary>Parses <paramref name="utf8Json"/> (a single JSON value) and returns its canonical UTF-8 bytes.</summary>
    public static byte[] Canonicalize(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json);
        using var document = JsonDocument.ParseValue(ref reader);
        if (reader.BytesConsumed != utf8Json.Length && !IsWhitespaceOnly(utf8Json[(int)reader.BytesConsumed..]))
            throw new JsonException("Trailing data after the JSON value.");
        return Canonicalize(document.RootElement);
    }

    /// <summary>
    /// Writes the canonical UTF-8 bytes of <paramref name="element"/> to <paramref name="output"/>. On a
    /// <see cref="JsonException"/> the bytes written before the fault stay in <paramref name="output"/>.
    /// </summary>
    public static void Write(IBufferWriter<byte> output, JsonElement element)
    {
        ArgumentNullException.ThrowIfNull(output);
        WriteValue(output, element, 0);
    }

    /// <summary>Writes the canonical UTF-8 bytes of <paramref name="element"/> to <paramref name="output"/> (all or nothing).</summary>
    public static void Write(Stream output, JsonElement element)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var buffer = new PooledByteWriter();
        WriteValue(buffer, element, 0);
        output.Write(buffer.WrittenSpan);
    }

    /// <summary>
    /// <paramref name="value"/> as ECMAScript's <c>Number.prototype.toString</c> writes it (RFC 8785 §3.2.2.3).
    /// NaN and the infinities have no JSON form: <see cref="JsonException"/>.
    /// </summary>
    public static string FormatNumber(double value)
    {
        Span<byte> bytes = stackalloc byte[MaxNumberLength];
        var length = FormatNumber(value, bytes);
        return Encoding.ASCII.GetString(bytes[..length]);
    }

    /// <summary>Writes <paramref name="value"/> as a canonical JSON string (quotes included).</summary>
    internal static void WriteString(IBufferWriter<byte> output, ReadOnlySpan<char> value)
    {
        WriteByte(output, (byte)'"');
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c >= 0x20 && c != '"' && c != '\\')
                continue;
            WriteUtf8(output, value[start..i]);
            WriteEscape(output, c);
            start = i + 1;
        }
        WriteUtf8(output, value[start..]);
        WriteByte(output, (byte)'"');
    }

    /// <summary>Writes UTF-8 text (already valid) as a canonical JSON string (quotes included).</summary>
    internal static void WriteEscapedUtf8(IBufferWriter<byte> output, ReadOnlySpan<byte> value)
    {
        WriteByte(output, (byte)'"');
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var b = value[i];
            if (b >= 0x20 && b != (byte)'"' && b != (byte)'\\')
                continue;
            WriteRaw(output, value[start..i]);
            WriteEscape(output, (char)b);
            start = i + 1;
        }
        WriteRaw(output, value[start..]);
        WriteByte(output, (byte)'"');
    }

    /// <summary>Writes bytes that are already canonical JSON (punctuation, literals, pre-formatted tokens).</summary>
    internal static void WriteRaw(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0)
            return;
        var span = output.GetSpan(bytes.Length);
        bytes.CopyTo(span);
        output.Advance(bytes.Length);
    }

    internal static void WriteByte(IBufferWriter<byte> output, byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }

    private static void WriteValue(IBufferWriter<byte> output, JsonElement element, int depth)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                WriteObject(output, element, depth + 1);
                break;
            case JsonValueKind.Array:
                WriteArray(output, element, depth + 1);
                break;
            case JsonValueKind.String:
                WriteStringElement(output, element);
                break;
            case JsonValueKind.Number:
                WriteNumberElement(output, element);
                break;
            case JsonValueKind.True:
                WriteRaw(output, "true"u8);
                break;
            case JsonValueKind.False:
                WriteRaw(output, "false"u8);
                break;
            case JsonValueKind.Null:
                WriteRaw(output, "null"u8);
                break;
            default:
                throw new JsonException("An undefined JSON value (default JsonElement) has no canonical form.");
        }
    }

    private static void WriteArray(IBufferWriter<byte> output, JsonElement array, int depth)
    {
        CheckDepth(depth);
        WriteByte(output, (byte)'[');
        var first = true;
        foreach (var item in array.EnumerateArray())
        {
            if (!first)
                WriteByte(output, (byte)',');
            first = false;
            WriteValue(output, item, depth);
        }
        WriteByte(output, (byte)']');
    }

    private static void WriteObject(IBufferWriter<byte> output, JsonElement obj, int depth)
    {
        CheckDepth(depth);
        var count = obj.GetPropertyCount();
        if (count == 0)
        {
            WriteRaw(output, "{}"u8);
            return;
        }

        var members = ArrayPool<Member>.Shared.Rent(count);
        try
        {
            var n = 0;
            foreach (var property in obj.EnumerateObject())
                members[n++] = Member.From(property);

            Array.Sort(members, 0, n, MemberOrder.Instance);

            WriteByte(output, (byte)'{');
            for (var i = 0; i < n; i++)
            {
                var name = members[i].Name;
                if (i > 0)
                {
                    if (name.SequenceEqual(members[i - 1].Name))
                        throw new JsonException($"Duplicate object member name \"{Encoding.UTF8.GetString(name)}\".");
                    WriteByte(output, (byte)',');
                }
                if (members[i].Unescaped is null)
                {
                    // Written without escapes in the document, so already canonical (see WriteStringElement).
                    WriteByte(output, (byte)'"');
                    WriteRaw(output, name);
                    WriteByte(output, (byte)'"');
                }
                else
                {
                    WriteEscapedUtf8(output, name);
                }
                WriteByte(output, (byte)':');
                WriteValue(output, members[i].Property.Value, depth);
            }
            WriteByte(output, (byte)'}');
        }
        finally
        {
            ArrayPool<Member>.Shared.Return(members, clearArray: true);
        }
    }

    /// <summary>
    /// Orders UTF-8 names as their UTF-16 forms order (RFC 8785 §3.2.3) without decoding them. UTF-8 byte order is
    /// code point order, which differs from UTF-16 code unit order only between U+E000–U+FFFF (lead bytes EE, EF)
    /// and supplementary characters (lead bytes F0–F4, surrogates D800–DBFF in UTF-16, so sorting first).
    /// </summary>
    internal static int CompareUtf16Order(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var i = a.CommonPrefixLength(b);
        if (i == a.Length || i == b.Length)
            return a.Length - b.Length;
        // Equal prefixes end on the same character boundary: either both bytes lead a character, or both
        // continue characters with the same lead byte, and so of the same kind.
        var (x, y) = (a[i], b[i]);
        if (x >= 0xF0 && y is 0xEE or 0xEF)
            return -1;
        if (y >= 0xF0 && x is 0xEE or 0xEF)
            return 1;
        return x - y;
    }

    private readonly struct Member
    {
        private Member(JsonProperty property, byte[]? unescaped)
        {
            Property = property;
            Unescaped = unescaped;
        }

        public JsonProperty Property { get; }

        /// <summary>The UTF-8 of the name when the document spelled it with escapes; null when the raw name is it.</summary>
        public byte[]? Unescaped { get; }

        public ReadOnlySpan<byte> Name => Unescaped is null ? JsonMarshal.GetRawUtf8PropertyName(Property) : Unescaped;

        public static Member From(JsonProperty property)
        {
            var raw = JsonMarshal.GetRawUtf8PropertyName(property);
            if (raw.IndexOf((byte)'\\') < 0)
            {
                if (!Utf8.IsValid(raw))
                    throw new JsonException("An object member name is not valid UTF-8.");
                return new Member(property, null);
            }

            string name;
            try
            {
                name = property.Name;
            }
            catch (InvalidOperationException e)
            {
                throw new JsonException("An object member name is not valid Unicode (invalid UTF-8 or an unpaired surrogate).", e);
            }
            var bytes = new byte[Encoding.UTF8.GetMaxByteCount(name.Length)];
            if (Utf8.FromUtf16(name, bytes, out _, out var written, replaceInvalidSequences: false) != OperationStatus.Done)
                throw new JsonException("An object member name contains an unpaired surrogate.");
            return new Member(property, bytes[..written]);
        }
    }

    private sealed class MemberOrder : IComparer<Member>
    {
        public static readonly MemberOrder Instance = new();

        public int Compare(Member x, Member y) => CompareUtf16Order(x.Name, y.Name);
    }

    private static void WriteStringElement(IBufferWriter<byte> output, JsonElement element)
    {
        // The raw token, quotes included. Without a backslash nothing needs unescaping, and the reader has
        // already refused unescaped control characters, so the token is canonical once its UTF-8 is valid.
        var raw = JsonMarshal.GetRawUtf8Value(element);
        var content = raw[1..^1];
        if (content.IndexOf((byte)'\\') < 0)
        {
            if (!Utf8.IsValid(content))
                throw new JsonException("A JSON string is not valid UTF-8.");
            WriteRaw(output, raw);
            return;
        }

        string value;
        try
        {
            value = element.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            throw new JsonException("A JSON string is not valid Unicode (invalid UTF-8 or an unpaired surrogate).", e);
        }
        WriteString(output, value);
    }

    private static void WriteNumberElement(IBufferWriter<byte> output, JsonElement element)
    {
        var raw = JsonMarshal.GetRawUtf8Value(element);
        if (IsCanonicalAsWritten(raw))
        {
            WriteRaw(output, raw);
            return;
        }

        if (!element.TryGetDouble(out var value) || !double.IsFinite(value))
            throw new JsonException("A JSON number is outside the range of IEEE-754 double precision.");
        var span = output.GetSpan(MaxNumberLength);
        output.Advance(FormatNumber(value, span));
    }

    /// <summary>
    /// Whether a JSON number token is already its own canonical form, so that the double need not be parsed
    /// and re-formatted: no exponent, at most 15 significant digits (any such decimal survives the trip through
    /// a double, DBL_DIG = 15, and is the shortest that does), no trailing fractional zeros, and within the
    /// range ECMAScript writes without an exponent (at most 5 zeros after "0."). Negative zero is not.
    /// JSON's grammar already rules out leading zeros.
    /// </summary>
    internal static bool IsCanonicalAsWritten(ReadOnlySpan<byte> raw)
    {
        var negative = raw.Length > 0 && raw[0] == (byte)'-';
        var digits = negative ? raw[1..] : raw;
        var dot = digits.IndexOf((byte)'.');
        var integer = dot < 0 ? digits : digits[..dot];
        var fraction = dot < 0 ? [] : digits[(dot + 1)..];
        if (integer.Length == 0 || !AllDigits(integer) || !AllDigits(fraction))
            return false;
        if (dot < 0)
            return integer.Length <= 15 && !(negative && integer is [(byte)'0']);
        if (fraction.Length == 0 || fraction[^1] == (byte)'0')
            return false;
        if (integer is not [(byte)'0'])
            return integer.Length + fraction.Length <= 15;
        var zeros = fraction.IndexOfAnyExcept((byte)'0');
        return zeros <= 5 && fraction.Length - zeros <= 15;
    }

    private static bool AllDigits(ReadOnlySpan<byte> span) => span.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0;

    /// <summary>
    /// ECMAScript Number::toString (ECMA-262 §6.1.6.1.20) for a finite double. The shortest digits that
    /// round-trip come from .NET's "R" formatting (shortest round-trippable since .NET Core 3.0); only the
    /// layout of those digits differs between the two and is redone here.
    /// </summary>
    internal static int FormatNumber(double value, Span<byte> destination)
    {
        if (!double.IsFinite(value))
            throw new JsonException("NaN and Infinity are not JSON numbers.");
        if (value == 0)
        {
            destination[0] = (byte)'0';
            return 1;
        }

        Span<byte> shortest = stackalloc byte[MaxNumberLength];
        if (!value.TryFormat(shortest, out var length, "R", CultureInfo.InvariantCulture))
            throw new InvalidOperationException("A double did not fit its formatting buffer.");
        shortest = shortest[..length];

        // Decompose "-d.dddE±x" / "ddd.ddd" into the digits s (k of them) and n, with value = 0.s × 10^n.
        var negative = shortest[0] == (byte)'-';
        var i = negative ? 1 : 0;
        Span<byte> mantissa = stackalloc byte[MaxNumberLength];
        var count = 0;
        var integerDigits = -1;
        var exponent = 0;
        for (; i < shortest.Length; i++)
        {
            var b = shortest[i];
            if (b == (byte)'.')
            {
                integerDigits = count;
            }
            else if (b is (byte)'E' or (byte)'e')
            {
                exponent = int.Parse(shortest[(i + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                break;
            }
            else
            {
                mantissa[count++] = b;
            }
        }
        if (integerDigits < 0)
            integerDigits = count;

        var start = 0;
        var end = count;
        var n = integerDigits + exponent;
        while (start < end - 1 && mantissa[start] == (byte)'0')
        {
            start++;
            n--;
        }
        while (end > start + 1 && mantissa[end - 1] == (byte)'0')
            end--;
        ReadOnlySpan<byte> s = mantissa[start..end];
        var k = s.Length;

        var w = 0;
        if (negative)
            destination[w++] = (byte)'-';

        if (k <= n && n <= 21)
        {
            s.CopyTo(destination[w..]);
            w += k;
            destination.Slice(w, n - k).Fill((byte)'0');
            w += n - k;
        }
        else if (0 < n && n <= 21)
        {
            s[..n].CopyTo(destination[w..]);
            w += n;
            destination[w++] = (byte)'.';
            s[n..].CopyTo(destination[w..]);
            w += k - n;
        }
        else if (-6 < n && n <= 0)
        {
            destination[w++] = (byte)'0';
            destination[w++] = (byte)'.';
            destination.Slice(w, -n).Fill((byte)'0');
            w += -n;
            s.CopyTo(destination[w..]);
            w += k;
        }
        else
        {
            destination[w++] = s[0];
            if (k > 1)
            {
                destination[w++] = (byte)'.';
                s[1..].CopyTo(destination[w..]);
                w += k - 1;
            }
            destination[w++] = (byte)'e';
            var e = n - 1;
            destination[w++] = e < 0 ? (byte)'-' : (byte)'+';
            Math.Abs(e).TryFormat(destination[w..], out var exponentLength, default, CultureInfo.InvariantCulture);
            w += exponentLength;
        }
        return w;
    }

    private static void WriteEscape(IBufferWriter<byte> output, char c)
    {
        var span = output.GetSpan(6);
        span[0] = (byte)'\\';
        var length = 2;
        switch (c)
        {
            case '"': span[1] = (byte)'"'; break;
            case '\\': span[1] = (byte)'\\'; break;
            case '\b': span[1] = (byte)'b'; break;
            case '\t': span[1] = (byte)'t'; break;
            case '\n': span[1] = (byte)'n'; break;
            case '\f': span[1] = (byte)'f'; break;
            case '\r': span[1] = (byte)'r'; break;
            default:
                span[1] = (byte)'u';
                span[2] = (byte)'0';
                span[3] = (byte)'0';
                span[4] = (byte)"0123456789abcdef"[c >> 4];
                span[5] = (byte)"0123456789abcdef"[c & 0xF];
                length = 6;
                break;
        }
        output.Advance(length);
    }

    private static void WriteUtf8(IBufferWriter<byte> output, ReadOnlySpan<char> chars)
    {
        while (chars.Length > 0)
        {
            // At most 3 bytes per UTF-16 code unit; write in slices so a huge string never asks for a huge span.
            var slice = chars.Length <= 4096 ? chars : chars[..4096];
            var span = output.GetSpan(slice.Length * 3);
            var status = Utf8.FromUtf16(slice, span, out var read, out var written, replaceInvalidSequences: false, isFinalBlock: slice.Length == chars.Length);
            if (status == OperationStatus.InvalidData)
                throw new JsonException("A string contains an unpaired surrogate, which JSON text cannot carry (RFC 8785 §3.2.2.2, RFC 7493).");
            output.Advance(written);
            chars = chars[read..];
            if (read == 0)
                throw new JsonException("A string ends with an unpaired high surrogate.");
        }
    }

    private static void CheckDepth(int depth)
    {
        if (depth > MaxDepth)
            throw new JsonException($"JSON nested deeper than {MaxDepth} levels.");
    }

    private static bool IsWhitespaceOnly(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r'))
                return false;
        }
        return true;
    }
}
