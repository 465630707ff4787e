using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ledger.Api.Http;

/// <summary>
/// Refuses, at the edge, text that PostgreSQL cannot store: U+0000. A <c>text</c> value refuses the NUL
/// byte and <c>jsonb</c> refuses its escape <c>\u0000</c>, so such a request would reach the database
/// only to be refused there (and a refusal at that point used to leave a pooled connection out of step:
/// see Ledger.Infrastructure.Resilience.PreparedStatements). Every other character JSON can carry is
/// stored as sent: JSON text is well-formed UTF-8 and the reader refuses an unpaired surrogate escape.
/// </summary>
public static class StorableText
{
    public const string Code = "invalid_character";

    public static bool IsStorable(string value) => !value.Contains('\0');

    public static string Detail(string field) => $"'{field}' contains U+0000 (a NUL character), which the ledger cannot store.";

    /// <summary>The path and every query parameter, checked before routing or binding reads them.</summary>
    public static async Task RefuseInUrlAsync(HttpContext http, Func<Task> next)
    {
        if (!IsStorable(http.Request.Path.Value ?? ""))
            throw new RequestRejected(StatusCodes.Status400BadRequest, Code, Detail("path"), "path");
        foreach (var (name, values) in http.Request.Query)
        {
            var field = IsStorable(name) ? name : "query";
            if (!IsStorable(name) || values.Any(v => v is not null && !IsStorable(v)))
                throw new RequestRejected(StatusCodes.Status400BadRequest, Code, Detail(field), field);
        }
        await next();
    }
}

/// <summary>Every string of a request body goes through this converter, which refuses what cannot be stored.</summary>
public sealed class StorableTextConverter : JsonConverter<string>
{
    public override bool HandleNull => false;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null : Check(reader.GetString()!);

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Check(reader.GetString()!);

    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        writer.WritePropertyName(value);

    private static string Check(string value) => StorableText.IsStorable(value) ? value : throw new UnstorableText();
}

/// <summary>Thrown by <see cref="StorableTextConverter"/>; the serializer adds the path of the field at fault.</summary>
public sealed class UnstorableText() : JsonException("The text contains U+0000, which the ledger cannot store.");
