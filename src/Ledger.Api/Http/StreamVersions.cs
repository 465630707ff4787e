using Ledger.Contracts;
using Ledger.Infrastructure.Writing;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Ledger.Api.Http;

/// <summary>Optimistic concurrency in HTTP: the ETag is the stream version, If-Match the expected one.</summary>
public static class StreamVersions
{
    public static string ETag(long version) => $"\"{version}\"";

    public static long? Expected(HttpContext http)
    {
        var raw = http.Request.Headers.IfMatch.ToString();
        if (string.IsNullOrWhiteSpace(raw)) return null;
        if (EntityTagHeaderValue.TryParse(raw, out var tag) && !tag.IsWeak && tag.Tag.Length >= 2
            && long.TryParse(tag.Tag.AsSpan(1, tag.Tag.Length - 2), out var version) && version >= 0)
            return version;
        throw new RequestRejected(StatusCodes.Status400BadRequest, "invalid_if_match",
            "If-Match must be one strong entity tag holding a stream version, e.g. \"3\".", "If-Match");
    }

    /// <summary>201 with Location and the new version as ETag; a replay of an idempotent request says so.</summary>
    public static Created<WriteResponse> Created(HttpContext http, string location, AppendResult result)
    {
        http.Response.Headers.ETag = ETag(result.Version);
        if (result.Replayed) http.Response.Headers["Idempotent-Replayed"] = "true";
        return TypedResults.Created(location, new WriteResponse(StreamKeys.IdOf(result.StreamKey), result.Version, result.EventTypes));
    }
}

/// <summary>The body of every successful write.</summary>
public sealed record WriteResponse(string Id, long Version, IReadOnlyList<string> Events);
