using System.Collections.Concurrent;

namespace Ledger.Infrastructure.Writing;

/// <summary>
/// The decider's state of recently written streams, as this node last committed or read them, so that
/// the next command on a stream need not read and fold its whole history again. A cached state may be
/// stale — another node, or another process, may have appended since — and that is safe: the append
/// still carries the cached version as its expected version, so a stale decision fails at commit and is
/// made again from a fresh read; a decision that appends nothing (a refusal, a no-op) is confirmed
/// against the stream's current version before it is answered. States are immutable records, so one
/// can be shared by concurrent requests. Bounded: past <c>capacity</c> streams the cache starts afresh.
/// </summary>
public sealed class StreamStates(int capacity)
{
    private sealed record Entry(Type Type, long Version, object? State);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public bool Enabled => capacity > 0;

    public bool TryGet<TState>(string streamKey, out long version, out TState? state) where TState : class
    {
        if (Enabled && _entries.TryGetValue(streamKey, out var entry) && entry.Type == typeof(TState))
        {
            (version, state) = (entry.Version, (TState?)entry.State);
            return true;
        }
        (version, state) = (0, null);
        return false;
    }

    /// <summary>Keeps <paramref name="state"/> at <paramref name="version"/> unless a later version is already kept.</summary>
    public void Set<TState>(string streamKey, long version, TState? state) where TState : class
    {
        if (!Enabled || version == 0) return;
        // Counting locks every part of the dictionary: only a new stream can push it past the bound.
        if (!_entries.ContainsKey(streamKey) && _entries.Count >= capacity) _entries.Clear();
        var entry = new Entry(typeof(TState), version, state);
        _entries.AddOrUpdate(streamKey, entry, (_, kept) => kept.Version >= version ? kept : entry);
    }

    public void Forget(string streamKey) => _entries.TryRemove(streamKey, out _);
}
