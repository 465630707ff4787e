namespace Ledger.Benchmarks.Appends;

/// <summary>One way of appending a progress report to a commitment's stream: ours, the peer or the limit.</summary>
public interface IAppendTarget : IAsyncDisposable
{
    string Name { get; }

    /// <summary>Creates the streams the run named <paramref name="run"/> appends to, so that its clients never share one.</summary>
    Task PrepareAsync(string run, int clients, int operationsPerClient);

    /// <summary>The client's <paramref name="index"/>-th append of the prepared run.</summary>
    Task AppendAsync(int client, int index);
}

/// <summary>
/// Which stream an append goes to. Each client writes to streams of its own and moves to a fresh one
/// every <see cref="ReportsPerStream"/> reports, so every target appends to streams of the same
/// lengths however many operations a run holds (the write path reads the whole stream first).
/// </summary>
public static class StreamPlan
{
    public const int ReportsPerStream = 25;

    public static int StreamsPerClient(int operationsPerClient) => (operationsPerClient + ReportsPerStream - 1) / ReportsPerStream;

    public static string CommitmentId(string run, int client, int index) => $"{run}-{client:D2}-{index / ReportsPerStream:D3}";

    public static string ReportId(int index) => $"rep-{index:D6}";

    public static IEnumerable<string> CommitmentIds(string run, int clients, int operationsPerClient)
    {
        for (var c = 0; c < clients; c++)
            for (var s = 0; s < StreamsPerClient(operationsPerClient); s++)
                yield return CommitmentId(run, c, s * ReportsPerStream);
    }
}
