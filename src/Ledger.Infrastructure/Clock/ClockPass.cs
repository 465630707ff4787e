using System.Diagnostics;
using System.Globalization;
using Ledger.Contracts;
using Ledger.Domain;
using Ledger.Domain.Clock;
using Ledger.Domain.Commitments;
using Ledger.Infrastructure.Resilience;
using Ledger.Infrastructure.Telemetry;
using Ledger.Infrastructure.Writing;
using Ledger.Projections;
using Marten;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ledger.Infrastructure.Clock;

/// <summary>
/// What one pass of the clock looked at and appended, by notice type; the streams it left for the next
/// pass because they were contended, and those whose decision or commit failed (<see cref="FailedStreams"/>).
/// </summary>
public sealed record ClockPassResult(DateTimeOffset At, int Commitments, int Approaching, int Overdue, int Missing, int Contended)
{
    public int Appended => Approaching + Overdue + Missing;

    public IReadOnlyList<string> FailedStreams { get; init; } = [];

    public int Failed => FailedStreams.Count;
}

/// <summary>
/// One look of the clock at every commitment it may have something to say about. Each commitment
/// goes through the ordinary write path (fetch → decide → append) with the system actor, so the
/// occurrence keys already in the stream are what keeps a notice from being appended twice: a
/// concurrent writer, another node's pass included, makes the commit fail and the decision is made
/// again on the stream as it now stands.
///
/// A stream whose decision or commit fails is logged once (stream, error, trace id), counted, and left
/// for the next pass; the pass goes on with the others, so one broken stream does not keep every later
/// commitment from its notices. Only a database that cannot be reached ends the pass: every stream
/// after it would fail alike.
/// </summary>
public sealed partial class ClockPass(IDocumentStore store, LedgerWriter writer, IOptions<ClockSettings> clock, ILogger<ClockPass> logger)
{
    private readonly ClockSettings _settings = clock.Value;

    private static readonly string ApproachingName = EventNames.All[typeof(DeadlineApproaching)];
    private static readonly string OverdueName = EventNames.All[typeof(CommitmentOverdue)];
    private static readonly string MissingName = EventNames.All[typeof(ReportMissing)];

    // The decider watches Active commitments only; claimed ones are listed too so that the rule on
    // open claims lives in one place, the decider.
    private static readonly string[] Watched = [nameof(CommitmentStatus.Active), nameof(CommitmentStatus.FulfilmentClaimed)];

    public async Task<ClockPassResult> RunAsync(DateTimeOffset now, CancellationToken ct)
    {
        var tick = new ClockTick(now, _settings.LeadTime, _settings.ReportGrace);
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
        var failed = new List<string>();
        foreach (var stream in streams)
        {
            ct.ThrowIfCancellationRequested();
            // A trace per stream: its id in a failure's log line leads to that stream's decide and commit spans.
            using var span = LedgerWriter.Activity.StartActivity("ledger.clock.stream");
            span?.SetTag("ledger.stream", stream);
            AppendResult result;
            try
            {
                result = await writer.ExecuteAsync<CommitmentState>(stream, null, CommitmentState.Evolve, s => ClockDecider.Decide(s, tick), context, ct);
            }
            catch (Exception ex) when (ex is StreamVersionConflict or StreamContended)
            {
                // A stream this busy is left for the next pass; its notices wait a tick, never double.
                contended++;
                continue;
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && ct.IsCancellationRequested) && !DatabaseFailures.IsUnavailable(ex))
            {
                failed.Add(stream);
                span?.SetStatus(ActivityStatusCode.Error, ex.Message);
                var trace = span?.TraceId.ToString() ?? Activity.Current?.TraceId.ToString() ?? "none";
                // The store's logger has already written an error PostgreSQL reported, with its statement:
                // this line adds the stream without a second error entry for the same failure.
                if (FailureLog.IsLogged(ex)) LogStreamRefused(logger, stream, FailureLog.Describe(ex), trace);
                else LogStreamFailed(logger, stream, FailureLog.Describe(ex), trace, ex);
                FailureLog.MarkLogged(ex);
                continue;
            }
            approaching += result.EventTypes.Count(t => t == ApproachingName);
            overdue += result.EventTypes.Count(t => t == OverdueName);
            missing += result.EventTypes.Count(t => t == MissingName);
        }
        var outcome = new ClockPassResult(now, streams.Count, approaching, overdue, missing, contended) { FailedStreams = failed };
        LedgerMetrics.ClockNoticed(ApproachingName, approaching);
        LedgerMetrics.ClockNoticed(OverdueName, overdue);
        LedgerMetrics.ClockNoticed(MissingName, missing);
        LedgerMetrics.ClockFailed(failed.Count);
        return outcome;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Clock pass: stream {Stream} failed and is left for the next pass: {Error} (trace {TraceId})")]
    private static partial void LogStreamFailed(ILogger logger, string stream, string error, string traceId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Clock pass: stream {Stream} failed and is left for the next pass: {Error} (trace {TraceId}; the store logged the failure)")]
    private static partial void LogStreamRefused(ILogger logger, string stream, string error, string traceId);
}
