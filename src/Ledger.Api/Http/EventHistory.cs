using JasperFx.Events;
using Ledger.Infrastructure.Audit;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ledger.Api.Http;

public static class EventHistory
{
    public static async Task<Ok<List<EventEnvelope>>> ReadAsync(IQuerySession session, string streamKey, string notFoundCode, string what, CancellationToken ct)
    {
        var events = await session.Events.FetchStreamAsync(streamKey, token: ct);
        if (events.Count == 0)
            throw new RequestRejected(StatusCodes.Status404NotFound, notFoundCode, $"{what} does not exist.");
        return TypedResults.Ok(events.Select(ToEnvelope).ToList());
    }

    public static EventEnvelope ToEnvelope(IEvent e) => EventEnvelope.From(e);
}
