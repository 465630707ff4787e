using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ledger.Api.Tests.Support;

/// <summary>One operation of the OpenAPI document, as the hostile-input generator walks it.</summary>
public sealed record ApiOperation(string Method, string Path, IReadOnlyList<ApiParameter> PathParameters, IReadOnlyList<ApiParameter> QueryParameters, JsonNode? BodySchema)
{
    public string Name => $"{Method.ToUpperInvariant()} {Path}";

    public bool HasBody => BodySchema is not null;

    /// <summary>Reads every operation, with its parameters and its JSON body's schema (references resolved).</summary>
    public static IReadOnlyList<ApiOperation> All(JsonNode document)
    {
        var operations = new List<ApiOperation>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                if (method is not ("get" or "post" or "put" or "patch" or "delete")) continue;
                var parameters = (operation!["parameters"]?.AsArray() ?? []).Concat(item["parameters"]?.AsArray() ?? [])
                    .Select(p => Schemas.Resolve(document, p)!)
                    .Select(p => (In: (string?)p["in"], Parameter: new ApiParameter((string)p["name"]!, Schemas.Resolve(document, p["schema"]), (bool?)p["required"] == true)))
                    .ToList();
                var body = Schemas.Resolve(document, operation["requestBody"])?["content"]?["application/json"]?["schema"];
                operations.Add(new ApiOperation(method, path,
                    parameters.Where(p => p.In == "path").Select(p => p.Parameter).ToList(),
                    parameters.Where(p => p.In == "query").Select(p => p.Parameter).ToList(),
                    body));
            }
        }
        return operations;
    }
}

public sealed record ApiParameter(string Name, JsonNode? Schema, bool Required);

/// <summary>Plausible values for a JSON schema of the document: the base a mutation starts from when no real request is at hand.</summary>
public static class Schemas
{
    public static JsonNode? Resolve(JsonNode document, JsonNode? node)
    {
        for (var hops = 0; hops < 16 && node?["$ref"] is { } reference; hops++)
        {
            // "#/components/schemas/Name"
            var target = document;
            foreach (var segment in ((string)reference!).TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries))
                target = target?[segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)];
            node = target;
        }
        return node;
    }

    public static JsonNode? Sample(JsonNode document, JsonNode? schema, string name, int depth = 0)
    {
        schema = Resolve(document, schema);
        if (schema is null || depth > 8) return "x";
        foreach (var alternatives in new[] { "oneOf", "anyOf", "allOf" })
        {
            if (schema[alternatives] is JsonArray options && options.FirstOrDefault(o => !IsNullOnly(Resolve(document, o))) is { } option)
                return Sample(document, option, name, depth + 1);
        }
        if (schema["enum"] is JsonArray values && values.FirstOrDefault(v => v is not null) is { } first) return first.DeepClone();
        var types = Types(schema);
        if (types.Contains("object") || schema["properties"] is not null)
        {
            var result = new JsonObject();
            foreach (var (property, propertySchema) in schema["properties"]?.AsObject() ?? [])
                result[property] = Sample(document, propertySchema, property, depth + 1);
            return result;
        }
        if (types.Contains("array")) return new JsonArray(Sample(document, schema["items"], name, depth + 1));
        if (types.Contains("integer")) return 1;
        if (types.Contains("number")) return 1;
        if (types.Contains("boolean")) return true;
        if (types.Contains("string"))
        {
            return (string?)schema["format"] switch
            {
                "date" => "2024-06-30",
                "date-time" => "2024-06-30T08:00:00+00:00",
                "uuid" => Guid.CreateVersion7().ToString(),
                "uri" => "https://example.org/x",
                _ when name.Contains("sha256", StringComparison.OrdinalIgnoreCase) => new string('b', 64),
                _ when name.EndsWith("Id", StringComparison.Ordinal) => "hostile-" + name.ToLowerInvariant(),
                _ => "x",
            };
        }
        return types.Contains("null") ? null : "x";
    }

    private static bool IsNullOnly(JsonNode? schema) => schema is not null && Types(schema) is ["null"];

    private static List<string> Types(JsonNode schema) => schema["type"] switch
    {
        JsonArray many => many.Select(t => (string)t!).ToList(),
        JsonValue one => [(string)one!],
        _ => [],
    };
}

/// <summary>A request to send: raw bytes where the body is not text, and whether Kestrel itself (not the API) may refuse it bare.</summary>
public sealed class HostileRequest
{
    public required string Method { get; init; }
    public required string PathAndQuery { get; init; }
    public byte[]? Body { get; init; }
    public string? ContentType { get; init; } = "application/json";
    public bool Chunked { get; init; }
    public List<(string Name, string Value)> Headers { get; } = [];
    public string? Authorization { get; set; }
    public required string What { get; init; }

    /// <summary>A request Kestrel refuses while it reads the request line or headers (a decoded U+0000, a line or headers over its limits), with a bare answer.</summary>
    public bool ServerMayRefuse { get; init; }

    /// <summary>A request the HTTP client itself may refuse to send (a header value it will not write).</summary>
    public bool ClientMayRefuse { get; init; }

    /// <summary>A body over the API's limit: the server may close the connection before the client has written it all.</summary>
    public bool OverLimit => Body?.Length > Ledger.Api.Http.BodyLimit.DefaultBytes;

    public HttpRequestMessage ToMessage(Uri server)
    {
        // Sent as written: no dot-segment removal or unescaping on the way out.
        var uri = new Uri(server.GetLeftPart(UriPartial.Authority) + PathAndQuery, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        var message = new HttpRequestMessage(new HttpMethod(Method.ToUpperInvariant()), uri);
        if (Body is not null)
        {
            HttpContent content = Chunked ? new StreamContent(new ChunkedOnly(Body)) : new ByteArrayContent(Body);
            if (ContentType is not null) content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            message.Content = content;
        }
        if (OverLimit)
        {
            // The server refuses such a body without reading it and then closes the connection: the client
            // waits for the answer before sending (as a careful client does) and never reuses the connection.
            message.Headers.ExpectContinue = true;
            message.Headers.ConnectionClose = true;
        }
        if (Authorization is not null) message.Headers.TryAddWithoutValidation("Authorization", Authorization);
        foreach (var (name, value) in Headers)
        {
            if (!message.Headers.TryAddWithoutValidation(name, value) && message.Content is not null)
                message.Content.Headers.TryAddWithoutValidation(name, value);
        }
        return message;
    }

    public override string ToString()
    {
        var target = PathAndQuery.Length > 240 ? PathAndQuery[..240] + $"…({PathAndQuery.Length} chars)" : PathAndQuery;
        return $"{Method.ToUpperInvariant()} {target} [{What}] body {Body?.Length.ToString(CultureInfo.InvariantCulture) ?? "none"} bytes";
    }

    /// <summary>A stream of unknown length, so the client sends the body chunked, with no Content-Length for the server to refuse early.</summary>
    private sealed class ChunkedOnly(byte[] bytes) : MemoryStream(bytes, writable: false)
    {
        public override bool CanSeek => false;
    }
}

/// <summary>The hostile values: each list is indexed by a generated number, so a case is a few integers and replays exactly.</summary>
public static class Hostile
{
    public const string RawMarker = "__hostile_raw__";

    /// <summary>A mutation of one field of a JSON body: a new value, a raw JSON fragment, or the field removed.</summary>
    public sealed record FieldMutation(string Name, Func<JsonNode?, JsonNode?>? Value = null, string? Raw = null, bool Remove = false, bool Extra = false);

    public static readonly FieldMutation[] FieldMutations =
    [
        new("null", _ => null),
        new("missing", Remove: true),
        new("wrong type", v => v switch
        {
            JsonObject => new JsonArray(),
            JsonArray => new JsonObject(),
            JsonValue value when value.GetValueKind() == JsonValueKind.String => 42,
            JsonValue value when value.GetValueKind() == JsonValueKind.Number => "42",
            null => true,
            _ => "true",
        }),
        new("extra field", Extra: true),
        new("string of 1 MB", _ => new string('x', 1024 * 1024)),
        new("string of 200 KB", _ => new string('x', 200 * 1024)),
        new("1,000 nested arrays", Raw: new string('[', 1000) + new string(']', 1000)),
        new("1,000 nested objects", Raw: string.Concat(Enumerable.Repeat("{\"a\":", 1000)) + "1" + new string('}', 1000)),
        new("control characters", _ => "a\u0001\u0008\u001b\u001f\u007f\u0085\u2028\u2029b"),
        new("lone high surrogate", Raw: "\"a\\ud800b\""),
        new("lone low surrogate", Raw: "\"\\udc00\""),
        new("lone surrogate and U+0000", Raw: "\"\\ud800\\u0000\""),
        new("U+0000", _ => "a\u0000b"),
        new("1e309", Raw: "1e309"),
        new("-0", Raw: "-0"),
        new("2^63", Raw: "9223372036854775808"),
        new("-2^63-1", Raw: "-9223372036854775809"),
        new("1e-400", Raw: "1e-400"),
        new("30 digits", Raw: "123456789012345678901234567890.5"),
        new("0.5", Raw: "0.5"),
        new("empty string", _ => ""),
        new("blank string", _ => "   "),
        new("30 February", _ => "2024-02-30"),
        new("year 1", _ => "0001-01-01"),
        new("year 9999", _ => "9999-12-31T23:59:59Z"),
        new("-1", Raw: "-1"),
        new("10,000 elements", v => new JsonArray(Enumerable.Range(0, 10_000).Select(_ => v?.DeepClone()).ToArray())),
        new("NaN", Raw: "NaN"),
        new("Infinity", Raw: "Infinity"),
        new("bidi and emoji", _ => "\u202e\u200b🙂 漢字 \ufeff"),
        new("1e308", Raw: "1e308"),
        new("2^32", Raw: "4294967296"),
        new("2^31", Raw: "2147483648"),
        new("string of 10,000 chars", _ => new string('漢', 10_000)),
        new("true", Raw: "true"),
        new("nested junk object", _ => new JsonObject { ["$type"] = "System.Object", ["__proto__"] = new JsonObject { ["admin"] = true } }),
    ];

    /// <summary>Whole bodies: bytes that are not JSON, not UTF-8, too big, or sent as something else.</summary>
    public static readonly (string Name, Func<byte[], (byte[] Body, string? ContentType, bool Chunked)> Make)[] RawBodies =
    [
        ("invalid UTF-8 0xFF in a string", b => (InString(b, [0xFF]), "application/json", false)),
        ("overlong UTF-8 0xC0 0xAF", b => (InString(b, [0xC0, 0xAF]), "application/json", false)),
        ("UTF-8-encoded surrogate 0xED 0xA0 0x80", b => (InString(b, [0xED, 0xA0, 0x80]), "application/json", false)),
        ("truncated UTF-8 sequence", b => (InString(b, [0xE6, 0xB0]), "application/json", false)),
        ("bytes that are not UTF-8", _ => ([0xFF, 0xFE, 0xFD, 0x00, 0x80], "application/json", false)),
        ("UTF-16 with a byte-order mark", b => ([.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(Encoding.UTF8.GetString(b))], "application/json", false)),
        ("UTF-8 byte-order mark", b => ([.. Encoding.UTF8.GetPreamble(), .. b], "application/json", false)),
        ("empty", _ => ([], "application/json", false)),
        ("null", _ => ("null"u8.ToArray(), "application/json", false)),
        ("an array", _ => ("[]"u8.ToArray(), "application/json", false)),
        ("a number", _ => ("0"u8.ToArray(), "application/json", false)),
        ("a string", _ => ("\"x\""u8.ToArray(), "application/json", false)),
        ("truncated", b => (b[..(b.Length / 2)], "application/json", false)),
        ("duplicate first property", b => (DuplicateFirstProperty(b), "application/json", false)),
        ("trailing garbage", b => ([.. b, .. "}}}"u8], "application/json", false)),
        ("a comment", b => ([.. "/* c */"u8, .. b], "application/json", false)),
        ("over the limit (300 KB)", b => (Padded(b, 300 * 1024), "application/json", false)),
        ("over the limit, chunked (1 MB)", b => (Padded(b, 1024 * 1024), "application/json", true)),
        ("as text/plain", b => (b, "text/plain", false)),
        ("XML", _ => ("<a>1</a>"u8.ToArray(), "application/xml", false)),
        ("a form with U+0000", _ => ("a=1&b=%00&c"u8.ToArray(), "application/x-www-form-urlencoded", false)),
        ("a form", _ => ("commitmentId=x&title=y"u8.ToArray(), "application/x-www-form-urlencoded", false)),
        ("multipart with a bad boundary", _ => ("--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--y--"u8.ToArray(), "multipart/form-data; boundary=x", false)),
        ("charset latin-1", b => (b, "application/json; charset=iso-8859-1", false)),
        ("a content type of junk", b => (b, ";;;=", false)),
        ("no content type", b => (b, null, false)),
        ("JSON type with junk parameters", b => (b, "application/json; charset=\"; boundary=", false)),
        ("vendor JSON type", b => (b, "application/vnd.api+json", false)),
    ];

    public static readonly (string Name, string Segment, bool ServerMayRefuse)[] PathSegments =
    [
        ("%00", "a%00b", true),
        ("..", "..", false),
        ("../ escaped", "..%2F..%2Fetc%2Fpasswd", false),
        ("%2e%2e", "%2e%2e", false),
        ("2,000 chars", new string('a', 2000), false),
        ("20,000 chars", new string('a', 20_000), true),
        ("invalid UTF-8 %FF%FE", "%FF%FE", true),
        ("overlong UTF-8 %C0%AF", "%C0%AF", true),
        ("encoded surrogate %ED%A0%80", "%ED%A0%80", true),
        ("bidi override", "%E2%80%AEx", false),
        ("space", "a%20b", false),
        ("newline", "a%0Ab", false),
        ("CR LF", "a%0D%0Ab", false),
        ("escaped slash", "x%2Fy", false),
        ("percent", "%25", false),
        ("lone percent", "a%zz", false),
        ("SQL", "'%20or%201=1--", false),
        ("markup", "%3Cscript%3E", false),
        ("-1", "-1", false),
        ("2^63", "9223372036854775808", false),
        ("1e309", "1e309", false),
        ("CJK", "%E6%BC%A2%E5%AD%97", false),
        ("control character", "a%01b", false),
        ("dot", ".", false),
        ("NUL byte alone", "%00", true),
    ];

    public static readonly (string Name, string Value)[] QueryValues =
    [
        ("letters", "abc"),
        ("-1", "-1"),
        ("0", "0"),
        ("20 digits", "99999999999999999999"),
        ("1e309", "1e309"),
        ("empty", ""),
        ("%00", "a%00b"),
        ("%FF", "%FF%FE"),
        ("5,000 chars", new string('a', 5000)),
        ("bad date", "2024-13-45"),
        ("bad time", "2024-02-30T25:61:61Z"),
        ("commas", "%2C%2C"),
        ("true", "true"),
        ("null", "null"),
        ("brackets", "%5B%5D"),
        ("lone percent", "%"),
        ("encoded surrogate", "%ED%A0%80"),
        ("control character", "%01%1F"),
        ("CJK", "%E6%BC%A2"),
        ("SQL", "'%20or%201%3D1--"),
    ];

    public static readonly (string Name, string Query)[] QueryShapes =
    [
        ("unknown key", "zz=1"),
        ("ampersands", "&&&"),
        ("bare equals", "="),
        ("percent key", "%25=%"),
        ("bracket key", "a[b]=c"),
        ("NUL key", "a%00=1"),
        ("100 repeated unknown keys", string.Join('&', Enumerable.Repeat("k=1", 100))),
        ("invalid UTF-8 key", "%FF=1"),
    ];

    public static readonly (string Name, string Header, string Value, bool ClientMayRefuse, bool ServerMayRefuse)[] Headers =
    [
        ("If-Match quoted letters", "If-Match", "\"abc\"", false, false),
        ("If-Match weak", "If-Match", "W/\"1\"", false, false),
        ("If-Match -1", "If-Match", "-1", false, false),
        ("If-Match 20 digits", "If-Match", "99999999999999999999", false, false),
        ("If-Match *", "If-Match", "*", false, false),
        ("If-Match list", "If-Match", "\"1\", \"2\"", false, false),
        ("If-Match empty quotes", "If-Match", "\"\"", false, false),
        ("If-Match 5,000 chars", "If-Match", new string('9', 5000), false, false),
        ("If-Match 0", "If-Match", "\"0\"", false, false),
        ("If-Match 2^63", "If-Match", "\"9223372036854775808\"", false, false),
        ("Idempotency-Key 300 chars", "Idempotency-Key", new string('k', 300), false, false),
        ("Idempotency-Key control character", "Idempotency-Key", "a\u0001b", true, true),
        ("Idempotency-Key DEL", "Idempotency-Key", "a\u007fb", true, true),
        ("Idempotency-Key blank", "Idempotency-Key", " ", false, false),
        ("Idempotency-Key 40 KB", "Idempotency-Key", new string('k', 40_000), false, true),
        ("X-Correlation-Id 300 chars", "X-Correlation-Id", new string('c', 300), false, false),
        ("X-Causation-Id control character", "X-Causation-Id", "a\u0002b", true, true),
        ("Accept XML", "Accept", "application/xml", false, false),
        ("Accept junk", "Accept", "*/*;q=abc, ,;", false, false),
        ("Accept-Language junk", "Accept-Language", "zz-ZZZZZZZZ;q=2, *;q=-1", false, false),
        ("Content-Encoding gzip (not gzip)", "Content-Encoding", "gzip", false, false),
        ("X-Forwarded-For junk", "X-Forwarded-For", "999.999.999.999, ::::", false, false),
        ("Cookie junk", "Cookie", ".AspNetCore.Cookies=" + new string('A', 3000), false, false),
        ("Range junk", "Range", "bytes=9-1", false, false),
        ("Expect 100-continue", "Expect", "100-continue", false, false),
        ("Idempotency-Key repeated", "Idempotency-Key", "a, b", false, false),
    ];

    private static byte[] InString(byte[] body, byte[] bad)
    {
        // Into the first string value: after the first '":"' (property then value), else appended raw.
        var text = body.AsSpan();
        var at = text.IndexOf("\":\""u8);
        if (at < 0) return [.. "\""u8, .. bad, .. "\""u8];
        at += 3;
        return [.. body[..at], .. bad, .. body[at..]];
    }

    private static byte[] DuplicateFirstProperty(byte[] body)
    {
        var node = JsonNode.Parse(body) as JsonObject;
        if (node is null || node.Count == 0) return body;
        var (name, value) = node.First();
        var text = Encoding.UTF8.GetString(body);
        return Encoding.UTF8.GetBytes("{" + JsonSerializer.Serialize(name) + ":" + (value?.ToJsonString() ?? "null") + "," + text[1..]);
    }

    private static byte[] Padded(byte[] body, int size) => [.. body, .. Enumerable.Repeat((byte)' ', Math.Max(0, size - body.Length))];

    /// <summary>The body with the node at <paramref name="path"/> mutated, as bytes (raw fragments spliced in after serialising).</summary>
    public static byte[] Mutate(JsonNode body, IReadOnlyList<object> path, FieldMutation mutation)
    {
        var copy = body.DeepClone();
        if (path.Count == 0)
        {
            if (mutation.Raw is not null) return Encoding.UTF8.GetBytes(mutation.Raw);
            if (mutation.Remove) return "{}"u8.ToArray();
            if (mutation.Extra && copy is JsonObject root) root["hostileExtra"] = 1;
            else if (mutation.Value is not null) copy = mutation.Value(copy);
            return Serialize(copy);
        }
        var parent = copy;
        foreach (var segment in path.Take(path.Count - 1))
            parent = segment is int i ? parent![i] : parent![(string)segment];
        var last = path[^1];
        var current = last is int index ? parent![index] : parent![(string)last];
        JsonNode? replacement = mutation.Raw is not null ? RawMarker : mutation.Value?.Invoke(current);
        switch (parent)
        {
            case JsonObject o when mutation.Remove:
                o.Remove((string)last);
                break;
            case JsonObject o when mutation.Extra:
                o["hostileExtra"] = 1;
                break;
            case JsonObject o:
                o[(string)last] = replacement;
                break;
            case JsonArray a when mutation.Remove:
                a.RemoveAt((int)last);
                break;
            case JsonArray a when mutation.Extra:
                a.Add("hostile-extra");
                break;
            case JsonArray a:
                a[(int)last] = replacement;
                break;
        }
        var bytes = Serialize(copy);
        return mutation.Raw is null ? bytes : Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes).Replace("\"" + RawMarker + "\"", mutation.Raw, StringComparison.Ordinal));
    }

    public static byte[] Serialize(JsonNode? node) =>
        // Relaxed escaping so that control characters and U+0000 go out as the escapes a client would write.
        Encoding.UTF8.GetBytes(node?.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, MaxDepth = 2000 }) ?? "null");

    /// <summary>Every node of the body (objects' properties and arrays' elements), as paths from the root; the root itself first.</summary>
    public static List<IReadOnlyList<object>> Paths(JsonNode? body)
    {
        var paths = new List<IReadOnlyList<object>> { Array.Empty<object>() };
        void Walk(JsonNode? node, List<object> prefix)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (name, child) in o)
                    {
                        var path = new List<object>(prefix) { name };
                        paths.Add(path);
                        Walk(child, path);
                    }
                    break;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++)
                    {
                        var path = new List<object>(prefix) { i };
                        paths.Add(path);
                        Walk(a[i], path);
                    }
                    break;
            }
        }
        Walk(body, []);
        return paths;
    }

    public static string Describe(IReadOnlyList<object> path) =>
        path.Count == 0 ? "(body)" : string.Concat(path.Select((s, i) => s is int n ? $"[{n}]" : (i == 0 ? "" : ".") + s));
}
