namespace Ledger.Infrastructure.Writing;

/// <summary>
/// One turn at a time per stream within this node: the writers of one stream queue and take turns
/// instead of deciding at once and racing to commit, which all but one would lose. Streams do not
/// wait for each other. An entry lives only while someone holds or waits for its turn.
/// </summary>
internal sealed class StreamTurns
{
    private readonly Dictionary<string, Turn> _turns = new(StringComparer.Ordinal);

    /// <summary>Waits for <paramref name="streamKey"/>'s turn; disposing the answer passes it on.</summary>
    public async Task<IDisposable> EnterAsync(string streamKey, CancellationToken ct)
    {
        Turn turn;
        lock (_turns)
        {
            if (!_turns.TryGetValue(streamKey, out turn!))
                _turns[streamKey] = turn = new Turn(this, streamKey);
            turn.Users++;
        }
        try
        {
            await turn.Gate.WaitAsync(ct);
        }
        catch
        {
            Leave(turn);
            throw;
        }
        return turn.Held();
    }

    /// <summary>Streams someone holds or waits for now (for tests and gauges).</summary>
    public int Count
    {
        get
        {
            lock (_turns) return _turns.Count;
        }
    }

    private void Leave(Turn turn)
    {
        lock (_turns)
        {
            if (--turn.Users == 0)
            {
                _turns.Remove(turn.StreamKey);
                turn.Gate.Dispose();
            }
        }
    }

    private sealed class Turn(StreamTurns owner, string streamKey)
    {
        public string StreamKey { get; } = streamKey;
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public int Users { get; set; }

        public IDisposable Held() => new Release(this);

        private sealed class Release(Turn turn) : IDisposable
        {
            private int _done;

            public void Dispose()
            {
                if (Interlocked.Exchange(ref _done, 1) != 0) return;
                turn.Gate.Release();
                turn.Leave();
            }
        }

        private void Leave() => owner.Leave(this);
    }
}
