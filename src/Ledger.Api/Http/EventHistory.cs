using JasperFx.Events;
using Ledger.Infrastructure.Writing;
using Marten;

namespace Ledger.Api.Http;

/// <summary>One stored event with its whole envelope, as auditors read a stream's raw history.</summary>
public sealed record EventEnvelope(
    long Sequence,
    long Version,
    string Type,
    DateTimeOffset Timestamp,
    EnvelopeActor Actor,
    string? CorrelationId,
    string? CausationId,
    string? IdempotencyKey,
    object Data);

public sealed record EnvelopeActor(string? Id, string? Role, string? Government);

public static class EventHistory
{
    public static async Task<IResult> ReadAsync(IQuerySession session, string streamKey, string notFoundCode, string what, CancellationToken ct)
    {
        var events = await session.Events.FetchStreamAsync(streamKey, token: ct);
        if (events.Count == 0)
            throw new RequestRejected(StatusCodes.Status404NotFound, notFoundCode, $"{what} does not exist.");
        return TypedResults.Ok(events.Select(ToEnvelope).ToList());
    }

    public static EventEnvelope ToEnvelope(IEvent e) => new(
        e.Sequence,
        e.Version,
        e.EventTypeName,
        e.Timestamp,
        new EnvelopeActor(e.UserName, Header(e, EnvelopeHeaders.ActorRole), Header(e, EnvelopeHeaders.ActorGovernment)),
        e.CorrelationId,
        e.CausationId,
        Header(e, EnvelopeHeaders.IdempotencyKey),
        e.Data);

    private static string? Header(IEvent e, string name) =>
        e.Headers is { } headers && headers.TryGetValue(name, out var value) ? value?.ToString() : null;
}
