using Ledger.Domain;
using Ledger.Infrastructure.Writing;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ledger.Api.Http;

/// <summary>
/// The shape every write endpoint shares: envelope from the request, <c>Now</c> from the injected
/// clock, expected version from If-Match, then the writer's fetch → decide → append.
/// </summary>
public static class Appending
{
    public delegate IReadOnlyList<object> Decision<in TState>(TState? state, Actor actor, DateTimeOffset now);

    public static async Task<Created<WriteResponse>> AppendAsync<TState>(
        HttpContext http,
        string streamKey,
        Func<TState?, object, TState?> evolve,
        Decision<TState> decide,
        string location)
        where TState : class
    {
        var writer = http.RequestServices.GetRequiredService<LedgerWriter>();
        var now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var context = RequestEnvelope.For(http);
        var expected = StreamVersions.Expected(http);
        var result = await writer.ExecuteAsync(streamKey, expected, evolve, s => decide(s, context.Actor, now), context, http.RequestAborted);
        return StreamVersions.Created(http, location, result);
    }
}
