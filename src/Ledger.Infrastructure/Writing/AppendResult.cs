namespace Ledger.Infrastructure.Writing;

/// <summary>What a successful command appended: the stream, its new version and the stored event names.</summary>
public sealed record AppendResult(string StreamKey, long Version, IReadOnlyList<string> EventTypes, bool Replayed = false);

/// <summary>The stream was not at the version the client expected (answered 412).</summary>
public sealed class StreamVersionConflict(string streamKey, long expected, long actual)
    : Exception($"Stream {streamKey} is at version {actual}, not {expected}.")
{
    public string StreamKey { get; } = streamKey;
    public long Expected { get; } = expected;
    public long Actual { get; } = actual;
}

/// <summary>
/// A write without a condition could not land on a stream that other nodes kept changing within the time the
/// node waits for it (answered 503 with Retry-After: the request changed nothing and may be sent again).
/// </summary>
public sealed class StreamContended(string streamKey, TimeSpan waited)
    : Exception($"Stream {streamKey} kept changing under this write for {waited.TotalSeconds:0.#} s.")
{
    public string StreamKey { get; } = streamKey;
}

/// <summary>The idempotency key was used before with a different request (answered 422).</summary>
public sealed class IdempotencyKeyReused(string key)
    : Exception($"Idempotency key '{key}' was already used for a different request.")
{
    public string Key { get; } = key;
}
