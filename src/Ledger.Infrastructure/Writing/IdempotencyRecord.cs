namespace Ledger.Infrastructure.Writing;

/// <summary>
/// The first outcome of a request sent with an <c>Idempotency-Key</c>. It is inserted in the same
/// transaction as the events, so it exists exactly when they do; a retry with the same key and body
/// gets the stored outcome back instead of appending again.
/// </summary>
public sealed class IdempotencyRecord
{
    public string Id { get; set; } = "";
    public string RequestHash { get; set; } = "";
    public string StreamKey { get; set; } = "";
    public long Version { get; set; }
    public IReadOnlyList<string> EventTypes { get; set; } = [];
    public DateTimeOffset RecordedAt { get; set; }
}
