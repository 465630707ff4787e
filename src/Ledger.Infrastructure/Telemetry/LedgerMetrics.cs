using System.Diagnostics.Metrics;

namespace Ledger.Infrastructure.Telemetry;

/// <summary>
/// The ledger's own meter: what was appended (by pinned event name), how often a
/// writer was told it was behind (412), and how often a client's retry was answered from the
/// idempotency record instead of appending again; how many appends shared each commit; and what the
/// deadline clock appended and the streams it failed on.
/// </summary>
public static class LedgerMetrics
{
    public const string MeterName = "Ledger";
    public const string EventTypeTag = "ledger.event_type";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Appended = Meter.CreateCounter<long>(
        "ledger.events.appended", unit: "{event}", description: "Events committed to the ledger, by event type.");

    private static readonly Counter<long> Conflicts = Meter.CreateCounter<long>(
        "ledger.appends.conflicts", unit: "{append}", description: "Appends refused because the stream was not at the expected version (412).");

    private static readonly Counter<long> Replays = Meter.CreateCounter<long>(
        "ledger.appends.idempotent_replays", unit: "{append}", description: "Writes answered from an earlier request with the same Idempotency-Key.");

    private static readonly Counter<long> ClockNotices = Meter.CreateCounter<long>(
        "ledger.clock.notices", unit: "{event}", description: "Notices the deadline clock appended as the system actor, by event type.");

    private static readonly Counter<long> ClockFailures = Meter.CreateCounter<long>(
        "ledger.clock.failures", unit: "{stream}", description: "Streams a clock pass could not decide or commit for, left for the next pass.");

    private static readonly Histogram<int> Batches = Meter.CreateHistogram<int>(
        "ledger.appends.batch_size", unit: "{append}", description: "Appends committed together in one transaction (group commit).");

    public static void GroupCommitted(int appends) => Batches.Record(appends);

    public static void ClockNoticed(string eventType, int count)
    {
        if (count > 0) ClockNotices.Add(count, new KeyValuePair<string, object?>(EventTypeTag, eventType));
    }

    public static void ClockFailed(int streams)
    {
        if (streams > 0) ClockFailures.Add(streams);
    }

    public static void EventsAppended(IEnumerable<string> eventTypes)
    {
        foreach (var type in eventTypes.CountBy(t => t))
            Appended.Add(type.Value, new KeyValuePair<string, object?>(EventTypeTag, type.Key));
    }

    public static void Conflict() => Conflicts.Add(1);

    public static void IdempotentReplay() => Replays.Add(1);
}
