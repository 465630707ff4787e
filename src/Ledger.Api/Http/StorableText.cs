using System.Text;
using System.Text.Json;

namespace Ledger.Api.Http;

/// <summary>
/// Refuses, at the edge, text that PostgreSQL cannot store: U+0000. A <c>text</c> value refuses the NUL
/// byte and <c>jsonb</c> refuses its escape <c>\u0000</c>, so such a request would reach the database
/// only to be refused there (and a refusal at that point used to leave a pooled connection out of step:
/// see Ledger.Infrastructure.Resilience.PreparedStatements). Every other character JSON can carry is
/// stored as sent: JSON text is well-formed UTF-8 and the reader refuses an unpaired surrogate escape.
///
/// The body is checked as JSON text rather than through the serializer, so every field of every request
/// is covered, property names included, without a converter that would hide the fields' types from the
/// OpenAPI document.
/// </summary>
public static class StorableText
{
    public const string Code = "invalid_character";

    // In JSON text U+0000 can only be written as this escape (a raw control character is not JSON).
    private static readonly byte[] NulEscape = Encoding.ASCII.GetBytes("\\u0000");

    public static bool IsStorable(string value) => !value.Contains('\0');

    /// <summary>The path and every query parameter, checked before anything (the access log included) stores them.</summary>
    public static async Task RefuseInUrlAsync(HttpContext http, Func<Task> next)
    {
        var request = http.Request;
        if (!IsStorable(request.Path.Value ?? ""))
            throw Refused("path");
        foreach (var (name, values) in request.Query)
        {
            if (!IsStorable(name)) throw Refused("query");
            if (values.Any(v => v is not null && !IsStorable(v))) throw Refused(name);
        }
        await next();
    }

    /// <summary>A JSON or form body, checked after authorization (a stranger is told 401 first) and before binding.</summary>
    public static async Task RefuseInBodyAsync(HttpContext http, Func<Task> next)
    {
        var request = http.Request;
        if (request.HasJsonContentType() && (request.ContentLength is null or > 0))
        {
            request.EnableBuffering();
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, http.RequestAborted);
            request.Body.Position = 0;
            var body = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
            if (body.Span.IndexOf(NulEscape) >= 0 && FieldHoldingNul(body.Span) is { } field)
                throw Refused(field);
        }
        else if (request.HasFormContentType)
        {
            // The console's forms: every field, before a page binds it (uploaded files are bytes, not text).
            IFormCollection form;
            try
            {
                form = await request.ReadFormAsync(http.RequestAborted);
            }
            catch (Exception e) when (e is InvalidDataException || (e is IOException && e is not BadHttpRequestException))
            {
                // The form reader throws these for the client's bytes — a value that decodes to U+0000, a
                // multipart boundary that never closes, too many fields — so they are a 400, not a 500.
                // (BadHttpRequestException, an IOException too, carries its own status: a body too large or too slow.)
                throw new RequestRejected(StatusCodes.Status400BadRequest, "malformed_form", "The form could not be read.", "form");
            }
            foreach (var (name, values) in form)
            {
                if (!IsStorable(name)) throw Refused("form");
                if (values.Any(v => v is not null && !IsStorable(v))) throw Refused(name);
            }
        }
        await next();
    }

    private static RequestRejected Refused(string field) => new(StatusCodes.Status400BadRequest, Code,
        $"'{field}' contains U+0000 (a NUL character), which the ledger cannot store.", field);

    /// <summary>
    /// The path of the first string or property name that holds U+0000, written as the API names fields
    /// ("values[0].text"); null if there is none, or if the body is not JSON (binding then says so).
    /// </summary>
    internal static string? FieldHoldingNul(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        // One frame per open object or array: the property being read, or the index of the element.
        var frames = new List<(bool IsArray, string? Name, int Index)>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        var name = reader.GetString()!;
                        frames[^1] = (false, name, 0);
                        if (!IsStorable(name)) return PathOf(frames);
                        continue;
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        frames.Add((reader.TokenType == JsonTokenType.StartArray, null, -1));
                        if (frames.Count > 1 && frames[^2].IsArray) frames[^2] = frames[^2] with { Index = frames[^2].Index + 1 };
                        continue;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        frames.RemoveAt(frames.Count - 1);
                        continue;
                }
                // A value: count it where it is an element of an array.
                if (frames.Count > 0 && frames[^1].IsArray) frames[^1] = frames[^1] with { Index = frames[^1].Index + 1 };
                if (reader.TokenType == JsonTokenType.String && reader.ValueIsEscaped && !IsStorable(reader.GetString()!))
                    return PathOf(frames);
            }
        }
        catch (JsonException)
        {
        }
        catch (InvalidOperationException)
        {
            // GetString refuses an unpaired surrogate escape ("\ud800"): not text either, and binding names its field.
        }
        return null;
    }

    private static string PathOf(List<(bool IsArray, string? Name, int Index)> frames)
    {
        var path = new StringBuilder();
        foreach (var (isArray, name, index) in frames)
        {
            if (isArray) path.Append('[').Append(index).Append(']');
            else if (name is not null) path.Append(path.Length == 0 ? "" : ".").Append(name);
        }
        return path.Length == 0 ? "body" : path.ToString();
    }
}
