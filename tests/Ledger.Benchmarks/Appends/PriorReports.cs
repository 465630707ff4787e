using Ledger.Contracts;
using Ledger.Infrastructure.Writing;
using Marten;

namespace Ledger.Benchmarks.Appends;

/// <summary>
/// A commitment's earlier reports, written in-process through the ledger's own store rather than
/// posted one by one: <see cref="ProgressReported"/> events appended to the commitment's stream in
/// batches of <see cref="Batch"/> per commit, so the inline projections (the commitment's record
/// among them) run as they do for the API's appends. Each event carries the envelope the API stamps
/// (correlation, actor, actor headers), and the reports are ones the decider would accept: the
/// water commitment's two indicators, a handful of periods, values that change from report to report.
/// </summary>
public sealed class PriorReports(IDocumentStore store)
{
    public const int Batch = 500;

    private const string Actor = "government:" + PilotSetup.Liuyang;

    // "2024" is the one period months-class-iii defines; monthly-class defines none, so it takes any label.
    private static readonly string[] Periods = ["2024", "2024-03", "2024-06", "2024-09", "2024-12"];

    /// <summary>Appends reports <paramref name="from"/> to <paramref name="to"/> (exclusive) to each commitment, one commit per batch and commitment.</summary>
    public async Task AppendAsync(IReadOnlyList<string> commitments, int from, int to, int parallelism, Action<int>? appended = null)
    {
        await Parallel.ForEachAsync(commitments, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (id, ct) =>
        {
            for (var start = from; start < to; start += Batch)
            {
                var end = Math.Min(start + Batch, to);
                await using var session = store.LightweightSession();
                var at = Microseconds(TimeProvider.System.GetUtcNow());
                var action = session.Events.Append(StreamKeys.Commitment(id), [.. Enumerable.Range(start, end - start).Select(i => Report(id, i, at))]);
                var correlation = Guid.CreateVersion7().ToString();
                foreach (var e in action.Events)
                {
                    e.CorrelationId = correlation;
                    e.UserName = Actor;
                    e.SetHeader(EnvelopeHeaders.ActorRole, "government");
                    e.SetHeader(EnvelopeHeaders.ActorGovernment, PilotSetup.Liuyang);
                }
                await session.SaveChangesAsync(ct);
                appended?.Invoke(end - start);
            }
        });
    }

    public static ProgressReported Report(string commitmentId, int index, DateTimeOffset at)
    {
        var period = Periods[index % Periods.Length];
        IndicatorValue[] values = period == "2024"
            ? [new("months-class-iii", index % 97), new("monthly-class", index % 6 + 1)]
            : [new("monthly-class", index % 6 + 1)];
        return new ProgressReported(commitmentId, $"prior-{index:D6}", period, AsOf(period), values,
            $"Report {index} on {period}.", Actor, at);
    }

    // The last day of the period: the year's for "2024", the month's for "2024-06".
    private static DateOnly AsOf(string period) => period.Length == 4
        ? new DateOnly(int.Parse(period, System.Globalization.CultureInfo.InvariantCulture), 12, 31)
        : DateOnly.ParseExact(period + "-01", "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture).AddMonths(1).AddDays(-1);

    // The ledger stamps events to the microsecond PostgreSQL keeps.
    private static DateTimeOffset Microseconds(DateTimeOffset t) => new(t.Ticks - t.Ticks % 10, TimeSpan.Zero);
}
