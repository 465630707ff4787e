using JasperFx.Events;
using Ledger.Infrastructure.Writing;

namespace Ledger.Infrastructure.Audit;

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
    object Data)
{
    public static EventEnvelope From(IEvent e) => new(
        e.Sequence,
        e.Version,
        e.EventTypeName,
        e.Timestamp,
        EnvelopeActor.Of(e),
        e.CorrelationId,
        e.CausationId,
        Header(e, EnvelopeHeaders.IdempotencyKey),
        e.Data);

    internal static string? Header(IEvent e, string name) =>
        e.Headers is { } headers && headers.TryGetValue(name, out var value) ? value?.ToString() : null;
}

/// <summary>Who appended an event: the actor's id, role and (for a government) its division code, from the envelope.</summary>
public sealed record EnvelopeActor(string? Id, string? Role, string? Government)
{
    public static EnvelopeActor Of(IEvent e) =>
        new(e.UserName, EventEnvelope.Header(e, EnvelopeHeaders.ActorRole), EventEnvelope.Header(e, EnvelopeHeaders.ActorGovernment));
}
