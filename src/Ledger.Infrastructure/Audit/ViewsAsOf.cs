using JasperFx.Events;
using Ledger.Projections.Supervision;
using Marten;

namespace Ledger.Infrastructure.Audit;

/// <summary>
/// Where a replay of the supervision views stopped: the point asked for (a time or a sequence), the
/// last event folded in, how many events were folded, and how many events stamped at or before the
/// time were held back because an earlier sequence was stamped after it.
/// </summary>
/// <param name="At">The time asked for, when the question was a time.</param>
/// <param name="Position">The sequence asked for, when the question was a daemon position.</param>
/// <param name="LastSequence">The sequence of the last event included; 0 when none was.</param>
/// <param name="LastTimestamp">The time that event records; null when none was included.</param>
/// <param name="Events">Events folded in.</param>
/// <param name="HeldBack">
/// Events stamped at or before <paramref name="At"/> that follow, in sequence, an event stamped after it
/// (two writers whose stamps and commits crossed). The live view, which never skips a sequence, could
/// not show them before that later-stamped event, so they are not included; 0 when stamps follow sequence.
/// </param>
/// <param name="Snapshot">The position of the snapshot the replay started from; null when it started from the first event.</param>
public sealed record ReplayPoint(DateTimeOffset? At, long? Position, long LastSequence, DateTimeOffset? LastTimestamp, long Events, long HeldBack, long? Snapshot = null);

/// <summary>The supervision documents as they stood at a <see cref="ReplayPoint"/>.</summary>
public sealed record ViewsAt(ReplayPoint Point, SupervisionFold Documents)
{
    /// <summary>
    /// The day the replayed views are counted to (UTC+8): the day of the time asked for, or of the last
    /// event included when the question was a position.
    /// </summary>
    public DateOnly Today => SupervisionRules.ZoneDate(Point.At ?? Point.LastTimestamp ?? DateTimeOffset.UnixEpoch);

    /// <summary>The overdue queue as it stood, whole, in the live queue's order (earliest due first, then the id).</summary>
    public IReadOnlyList<OverdueAt> Overdue(string? agreement, string? government)
    {
        var today = Today;
        return [.. Documents.AllHeld<OverdueItem>()
            .Where(i => (agreement is null || i.AgreementId == agreement) && (government is null || i.LeadGovernmentId == government))
            .OrderBy(i => i.DueOn).ThenBy(i => i.Id, StringComparer.Ordinal)
            .Select(i => new OverdueAt(i, today.DayNumber - i.DueOn.DayNumber))];
    }

    /// <summary>The rectification tracker as it stood, whole, in the live tracker's order; past due counted for open orders only.</summary>
    public IReadOnlyList<RectificationAt> Rectifications(string? agreement, string? government, bool? open)
    {
        var today = Today;
        return [.. Documents.AllHeld<RectificationTrack>()
            .Where(r => (agreement is null || r.AgreementId == agreement) && (government is null || r.GovernmentId == government)
                && (open is null || r.Open == open))
            .OrderBy(r => r.DueOn).ThenBy(r => r.Id, StringComparer.Ordinal)
            .Select(r =>
            {
                var late = r.Open ? Math.Max(0, today.DayNumber - r.DueOn.DayNumber) : 0;
                return new RectificationAt(r, late > 0, late);
            })];
    }

    /// <summary>A government's name in both languages as the replayed views held it ("" when they held none).</summary>
    public string NameOf(string governmentId) =>
        Documents.Held<GovernmentCompliance>(governmentId) is { } g ? $"{g.NameZh} {g.NameEn}" : "";
}

/// <summary>An overdue item as the queue held it, with its days overdue counted to the replayed day.</summary>
public sealed record OverdueAt(OverdueItem Item, int DaysOverdue);

/// <summary>A rectification order as the tracker held it, and whether it was past due on the replayed day.</summary>
public sealed record RectificationAt(RectificationTrack Rectification, bool PastDue, int DaysPastDue);

/// <summary>
/// The supervisors' views as they were: the event log replayed, in sequence order, into the very fold
/// the daemon runs (<see cref="SupervisionFold"/>), started from no documents instead of from today's.
/// </summary>
/// <remarks>
/// "As it was at T" is the longest prefix of the log, in sequence order, whose events are all stamped
/// at or before T: the documents the daemon produced once it had processed exactly those events. Each
/// event is stamped before its transaction commits and the daemon applies events strictly in sequence
/// order, so no live view at T can have shown more; a daemon that lagged at T showed an earlier prefix
/// (its answer's freshness said how far behind it was), which <c>position</c> replays exactly.
/// Events are read in pages of <see cref="PageSize"/> by sequence; memory holds one page and the
/// documents (one per commitment, government, agreement, area, open overdue item, rectification order,
/// scorecard and trend quarter), never the whole log. Each question replays from the nearest snapshot at
/// or before its point (<see cref="ViewSnapshots"/>), or from the first event where there is none: the
/// cost is that of the events since the snapshot.
/// </remarks>
public static class ViewsAsOf
{
    public const int PageSize = 1_000;

    /// <summary>The sequence of the last event recorded; 0 when none is.</summary>
    public static async Task<long> HighestSequenceAsync(IQuerySession session, CancellationToken ct) =>
        await session.Events.QueryAllRawEvents().OrderByDescending(e => e.Sequence).Take(1).ToListAsync(ct) is [var top] ? top.Sequence : 0;

    /// <summary>Replays every event up to <paramref name="at"/> (see remarks) or up to sequence <paramref name="position"/>; give one.</summary>
    public static async Task<ViewsAt> ReplayAsync(IQuerySession session, DateTimeOffset? at, long? position, CancellationToken ct)
    {
        if (at is null == position is null)
            throw new ArgumentException("Give exactly one of a time or a position.", nameof(at));

        // The nearest snapshot at or before the point holds the fold of every event up to its position.
        var snapshot = await ViewSnapshots.NearestAsync(session, at, position, ct);
        var fold = snapshot?.Fold ?? SupervisionFold.FromNothing();
        long last = snapshot?.LastSequence ?? 0, count = snapshot?.Events ?? 0, read = snapshot?.Position ?? 0;
        DateTimeOffset? lastTimestamp = snapshot?.LastTimestamp;
        IEvent? stampedAfter = null;
        while (stampedAfter is null)
        {
            var after = read;
            var query = session.Events.QueryAllRawEvents().Where(e => e.Sequence > after);
            if (position is { } p) query = query.Where(e => e.Sequence <= p);
            var page = await query.OrderBy(e => e.Sequence).Take(PageSize).ToListAsync(ct);
            foreach (var e in page)
            {
                if (at is { } t && e.Timestamp > t)
                {
                    stampedAfter = e;
                    break;
                }
                await fold.ApplyAsync(e, ct);
                last = read = e.Sequence;
                lastTimestamp = e.Timestamp;
                count++;
            }
            if (page.Count < PageSize) break;
        }

        long heldBack = 0;
        if (stampedAfter is not null && at is { } time)
        {
            var boundary = stampedAfter.Sequence;
            // Npgsql writes a timestamptz parameter only from a UTC offset; the instant is the same.
            time = time.ToUniversalTime();
            heldBack = await session.Events.QueryAllRawEvents().Where(e => e.Sequence > boundary && e.Timestamp <= time).CountAsync(ct);
        }
        return new ViewsAt(new ReplayPoint(at, position, last, lastTimestamp, count, heldBack, snapshot?.Position), fold);
    }
}
