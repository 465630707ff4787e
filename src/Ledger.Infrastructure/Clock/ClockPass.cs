using System.Globalization;
using Ledger.Contracts;
using Ledger.Domain;
using Ledger.Domain.Clock;
using Ledger.Domain.Commitments;
using Ledger.Infrastructure.Telemetry;
using Ledger.Infrastructure.Writing;
using Ledger.Projections;
using Marten;

namespace Ledger.Infrastructure.Clock;

/// <summary>What one pass of the clock looked at and appended, by notice type.</summary>
public sealed record ClockPassResult(DateTimeOffset At, int Commitments, int Approaching, int Overdue, int Missing, int Contended)
{
    public int Appended => Approaching + Overdue + Missing;
}

/// <summary>
/// One look of the clock at every commitment it may have something to say about. Each commitment
/// goes through the ordinary write path (fetch → decide → append) with the system actor, so the
/// occurrence keys already in the stream are what keeps a notice from being appended twice: a
/// concurrent writer, another node's pass included, makes the commit fail and the decision is made
/// again on the stream as it now stands.
/// </summary>
public sealed class ClockPass(IDocumentStore store, LedgerWriter writer, ClockSettings settings)
{
    private static readonly string ApproachingName = EventNames.All[typeof(DeadlineApproaching)];
    private static readonly string OverdueName = EventNames.All[typeof(CommitmentOverdue)];
    private static readonly string MissingName = EventNames.All[typeof(ReportMissing)];

    // The decider watches Active commitments only; claimed ones are listed too so that the rule on
    // open claims lives in one place, the decider.
    private static readonly string[] Watched = [nameof(CommitmentStatus.Active), nameof(CommitmentStatus.FulfilmentClaimed)];

    public async Task<ClockPassResult> RunAsync(DateTimeOffset now, CancellationToken ct)
    {
        var tick = new ClockTick(now, settings.LeadTime, settings.ReportGrace);
        // The correlation names the zone date the pass looked at: the notices of one day share it.
        var context = new RequestContext(Actor.System, "clock:" + tick.Today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        IReadOnlyList<string> streams;
        await using (var query = store.QuerySession())
        {
            streams = await query.Query<CommitmentRecord>()
                .Where(x => Watched.Contains(x.Status))
                .OrderBy(x => x.Id)
                .Select(x => x.Id)
                .ToListAsync(ct);
        }

        int approaching = 0, overdue = 0, missing = 0, contended = 0;
        foreach (var stream in streams)
        {
            ct.ThrowIfCancellationRequested();
            AppendResult result;
            try
            {
                result = await writer.ExecuteAsync<CommitmentState>(stream, null, CommitmentState.Evolve, s => ClockDecider.Decide(s, tick), context, ct);
            }
            catch (StreamVersionConflict)
            {
                // A stream this busy is left for the next pass; its notices wait a tick, never double.
                contended++;
                continue;
            }
            approaching += result.EventTypes.Count(t => t == ApproachingName);
            overdue += result.EventTypes.Count(t => t == OverdueName);
            missing += result.EventTypes.Count(t => t == MissingName);
        }
        var outcome = new ClockPassResult(now, streams.Count, approaching, overdue, missing, contended);
        LedgerMetrics.ClockNoticed(ApproachingName, approaching);
        LedgerMetrics.ClockNoticed(OverdueName, overdue);
        LedgerMetrics.ClockNoticed(MissingName, missing);
        return outcome;
    }
}
