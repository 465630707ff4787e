using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ledger.Api.Http;

public static class Reading
{
    /// <summary>A read model by id, with its stream version as ETag, or a 404 problem with a stable code.</summary>
    public static async Task<Ok<T>> OneAsync<T>(HttpContext http, IQuerySession session, string streamKey, Func<T, long> version,
        string notFoundCode, string what) where T : class
    {
        var document = await session.LoadAsync<T>(streamKey, http.RequestAborted)
            ?? throw new RequestRejected(StatusCodes.Status404NotFound, notFoundCode, $"{what} does not exist.");
        http.Response.Headers.ETag = StreamVersions.ETag(version(document));
        return TypedResults.Ok(document);
    }
}
