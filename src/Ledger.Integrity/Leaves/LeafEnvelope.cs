using System.Text.Json;

namespace Ledger.Integrity.Leaves;

/// <summary>
/// One committed event as it becomes a Merkle leaf: where it sits (global <paramref name="Sequence"/>,
/// <paramref name="Stream"/> and <paramref name="Version"/> within it), what it is (<paramref name="Type"/>, the
/// stored event name such as <c>progress_reported.v1</c>), when it was committed, who caused it and the event's
/// JSON as stored (<paramref name="Data"/>). <see cref="LeafEncoding"/> turns it into the leaf bytes.
/// </summary>
public sealed record LeafEnvelope(
    long Sequence,
    string Stream,
    long Version,
    string Type,
    DateTimeOffset Timestamp,
    string? ActorId,
    string? ActorRole,
    string? ActorGovernment,
    string? CorrelationId,
    string? CausationId,
    JsonElement Data);
