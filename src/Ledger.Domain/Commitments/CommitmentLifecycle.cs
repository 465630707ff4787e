using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Ledger.Contracts;

namespace Ledger.Domain.Commitments;

/// <summary>
/// A commitment's lifecycle, the one place its rules live: its status and what a suspension returns
/// to, each due item (the deadline and every milestone) and whether it is met, on time or overdue, the
/// claims and rectification orders still open, and from these its tracking colour and progress.
/// </summary>
/// <remarks>
/// A pure fold over the commitment's own events, with no clock of its own: an item is overdue once the
/// clock's <see cref="CommitmentOverdue"/> notice is in the stream, so the decider, the commitment
/// record, every supervision view and a replay to any past moment give one answer for the same events.
/// Documents store it as it is (plain data) and copy its answers into the columns they sort by.
/// </remarks>
public sealed record CommitmentLifecycle
{
    public CommitmentStatus Status { get; init; } = CommitmentStatus.Draft;

    /// <summary>The status a resumption returns to; null unless the commitment is suspended.</summary>
    public CommitmentStatus? ResumesTo { get; init; }

    public DateOnly Deadline { get; init; }

    /// <summary>The deadline first, then the milestones in the order they were scheduled.</summary>
    public ImmutableList<DueItemState> Items { get; init; } = [];

    public ImmutableList<OpenClaim> OpenClaims { get; init; } = [];

    /// <summary>Rectification orders not yet accepted, in the order they were given.</summary>
    public ImmutableList<string> OpenRectificationIds { get; init; } = [];

    /// <summary>The latest assessment's completion and delivery confidence (null until the first).</summary>
    public Completion? Completion { get; init; }
    public DeliveryConfidence? Confidence { get; init; }

    /// <summary>The day the verified fulfilment claim was made (the commitment's own claim, not a supervisor's verdict day).</summary>
    public DateOnly? FulfilledOn { get; init; }

    public const string DeadlineKey = "deadline";

    public static string MilestoneKey(string milestoneId) => "milestone/" + milestoneId;

    public static string ItemKey(DueKind kind, string? milestoneId) => kind == DueKind.Deadline ? DeadlineKey : MilestoneKey(milestoneId ?? "");

    public DueItemState? Item(string key) => Items.Find(i => i.Key == key);

    public MilestoneStatus MilestoneStatus(string milestoneId) => Item(MilestoneKey(milestoneId))?.Status ?? Contracts.MilestoneStatus.Scheduled;

    /// <summary>Red while an item is overdue; green once fulfilled; else the latest assessment's confidence; NotAssessed before any.</summary>
    [JsonIgnore]
    public Rag Colour =>
        OverdueItems > 0 ? Rag.Red
        : Status == CommitmentStatus.Fulfilled ? Rag.Green
        : Confidence is { } confidence ? ColourOf(confidence)
        : Rag.NotAssessed;

    [JsonIgnore]
    public int OverdueItems => CountItems(static i => i.OverdueOpen);

    /// <summary>The earliest due date among the open overdue items; null when nothing is overdue.</summary>
    [JsonIgnore]
    public DateOnly? OverdueSince
    {
        get
        {
            DateOnly? since = null;
            for (var k = 0; k < Items.Count; k++)
                if (Items[k] is { OverdueOpen: true } i && (since is null || i.OverdueDueOn < since)) since = i.OverdueDueOn;
            return since;
        }
    }

    /// <summary>Progress in thirds (0–3): complete once fulfilled, else the latest assessment's completion.</summary>
    [JsonIgnore]
    public int ProgressThirds => Status == CommitmentStatus.Fulfilled ? 3 : Completion is { } c ? Thirds(c) : 0;

    /// <summary>The deadline and milestones that have fallen due: met, judged not met, or noticed overdue.</summary>
    [JsonIgnore]
    public int ItemsDue => CountItems(static i => i.HasFallenDue);

    [JsonIgnore]
    public int ItemsOnTime => CountItems(static i => i.MetOnTime);

    [JsonIgnore]
    public int MilestonesDue => CountItems(static i => i.Kind == DueKind.Milestone && i.HasFallenDue);

    [JsonIgnore]
    public int MilestonesMetOnTime => CountItems(static i => i.Kind == DueKind.Milestone && i.MetOnTime);

    /// <summary>The keys of the items open and overdue, in item order (none, without allocating, when nothing is).</summary>
    public IReadOnlyList<string> OverdueKeys()
    {
        if (OverdueItems == 0) return [];
        var keys = new List<string>();
        for (var k = 0; k < Items.Count; k++)
            if (Items[k].OverdueOpen) keys.Add(Items[k].Key);
        return keys;
    }

    // By index rather than LINQ: enumerating an ImmutableList through IEnumerable allocates, and these
    // run for every event a view folds (a rebuild's profile found them a tenth of its CPU time).
    private int CountItems(Func<DueItemState, bool> which)
    {
        var count = 0;
        for (var k = 0; k < Items.Count; k++)
            if (which(Items[k])) count++;
        return count;
    }

    /// <summary>The lifecycle a registration starts: a draft whose one due item is the deadline.</summary>
    public static CommitmentLifecycle Registered(DateOnly deadline) => new()
    {
        Deadline = deadline,
        Items = [new DueItemState(DeadlineKey, DueKind.Deadline, null, deadline)],
    };

    /// <summary>The lifecycle after one more of the commitment's events; events that do not bear on it leave it as it is.</summary>
    public CommitmentLifecycle Apply(object @event) => @event switch
    {
        CommitmentRegistered e => Registered(e.Deadline),
        MilestoneScheduled e when Item(MilestoneKey(e.Milestone.MilestoneId)) is null => this with
        {
            Items = Items.Add(new DueItemState(MilestoneKey(e.Milestone.MilestoneId), DueKind.Milestone, e.Milestone.MilestoneId, e.Milestone.Due)),
        },
        // Met on the day the verified claim was made, where a claim met it (set by the verification just
        // before); else on the day the event names.
        MilestoneStatusChanged e => Change(MilestoneKey(e.MilestoneId), i => e.Status == Contracts.MilestoneStatus.Met
            ? (i with { Status = e.Status, MetOn = i.ClaimedMetOn ?? e.MetOn ?? Zone.Date(e.ChangedAt), ClaimedMetOn = null }).CloseOverdue()
            : i with { Status = e.Status, MetOn = null, ClaimedMetOn = null }),
        CommitmentActivated => this with { Status = CommitmentStatus.Active },
        CommitmentSuspended => this with { Status = CommitmentStatus.Suspended, ResumesTo = Status },
        CommitmentResumed => this with { Status = ResumesTo ?? Status, ResumesTo = null },
        CommitmentWithdrawn => this with { Status = CommitmentStatus.Withdrawn, ResumesTo = null, Items = Items.ConvertAll(i => i.CloseOverdue()) },
        FulfilmentClaimed e => this with
        {
            OpenClaims = OpenClaims.Add(new OpenClaim(e.ClaimId, e.Scope, e.Subject, Zone.Date(e.ClaimedAt))),
            Status = e.Scope == ClaimScope.Commitment ? CommitmentStatus.FulfilmentClaimed : Status,
        },
        ClaimWithdrawn e => CloseClaim(e.ClaimId, fulfilled: false),
        VerificationCompleted e => CloseClaim(e.ClaimId, fulfilled: e.Verdict == Verdict.Verified),
        CommitmentAssessed e => this with { Completion = e.Completion, Confidence = e.Confidence },
        RectificationOrdered e when !OpenRectificationIds.Contains(e.RectificationId) => this with { OpenRectificationIds = OpenRectificationIds.Add(e.RectificationId) },
        RectificationAccepted e => this with { OpenRectificationIds = OpenRectificationIds.Remove(e.RectificationId) },
        CommitmentRevised e => Revise(e),
        CommitmentOverdue e => Overdue(e),
        _ => this,
    };

    /// <summary>The lifecycle after all of <paramref name="events"/>, from nothing.</summary>
    public static CommitmentLifecycle Fold(IEnumerable<object> events) =>
        events.Aggregate(new CommitmentLifecycle(), (lifecycle, e) => lifecycle.Apply(e));

    public static Rag ColourOf(DeliveryConfidence confidence) => confidence switch
    {
        DeliveryConfidence.Green => Rag.Green,
        DeliveryConfidence.AmberGreen or DeliveryConfidence.Amber or DeliveryConfidence.AmberRed => Rag.Amber,
        DeliveryConfidence.Red => Rag.Red,
        _ => throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "unknown confidence"),
    };

    /// <summary>Progress in thirds (0–3), so that weighted sums stay whole numbers (⅓ has no exact decimal form).</summary>
    public static int Thirds(Completion completion) => completion switch
    {
        Contracts.Completion.NotStarted => 0,
        Contracts.Completion.Limited => 1,
        Contracts.Completion.Substantial => 2,
        Contracts.Completion.Complete => 3,
        _ => throw new ArgumentOutOfRangeException(nameof(completion), completion, "unknown completion"),
    };

    private CommitmentLifecycle Change(string key, Func<DueItemState, DueItemState> change)
    {
        var index = Items.FindIndex(i => i.Key == key);
        return index < 0 ? this : this with { Items = Items.SetItem(index, change(Items[index])) };
    }

    private CommitmentLifecycle CloseClaim(string claimId, bool fulfilled)
    {
        if (OpenClaims.Find(c => c.ClaimId == claimId) is not { } claim) return this;
        var after = this with { OpenClaims = OpenClaims.Remove(claim) };
        if (claim.Scope == ClaimScope.Milestone && fulfilled)
            return after.Change(MilestoneKey(claim.Subject ?? ""), i => i with { ClaimedMetOn = claim.ClaimedOn });
        if (claim.Scope != ClaimScope.Commitment || Status != CommitmentStatus.FulfilmentClaimed) return after;
        if (!fulfilled) return after with { Status = CommitmentStatus.Active };
        // The deadline is met on the day the verified claim was made, not the day a supervisor got to it.
        return after with
        {
            Status = CommitmentStatus.Fulfilled,
            FulfilledOn = claim.ClaimedOn,
            Items = after.Items.ConvertAll(i => (i.Key == DeadlineKey ? i with { MetOn = claim.ClaimedOn } : i).CloseOverdue()),
        };
    }

    private CommitmentLifecycle Revise(CommitmentRevised e)
    {
        var items = Items;
        var deadline = Deadline;
        if (e.NewDeadline is { } newDeadline)
        {
            deadline = newDeadline;
            var index = items.FindIndex(i => i.Key == DeadlineKey);
            items = items.SetItem(index, items[index].Reschedule(newDeadline));
        }
        foreach (var m in e.RescheduledMilestones)
        {
            var key = MilestoneKey(m.MilestoneId);
            var index = items.FindIndex(i => i.Key == key);
            if (index < 0)
            {
                items = items.Add(new DueItemState(key, DueKind.Milestone, m.MilestoneId, m.Due));
                continue;
            }
            // A milestone judged not met is scheduled again under its new date.
            var item = items[index];
            if (item.Status == Contracts.MilestoneStatus.NotMet) item = item with { Status = Contracts.MilestoneStatus.Scheduled };
            items = items.SetItem(index, item.Reschedule(m.Due));
        }
        return this with { Deadline = deadline, Items = items };
    }

    private CommitmentLifecycle Overdue(CommitmentOverdue e)
    {
        var key = ItemKey(e.Kind, e.MilestoneId);
        var items = Items.FindIndex(i => i.Key == key) < 0 ? Items.Add(new DueItemState(key, e.Kind, e.MilestoneId, e.DueOn)) : Items;
        var index = items.FindIndex(i => i.Key == key);
        var item = items[index];
        if (item.MetOn is not null || Status is CommitmentStatus.Fulfilled or CommitmentStatus.Withdrawn)
            return this with { Items = items };
        item = item with
        {
            OverdueOpen = true,
            OverdueNoticed = true,
            OverdueDueOn = e.DueOn,
            // A milestone the clock found passed and unmet is not met, until a verified claim says it is or a revision re-dates it.
            Status = item.Kind == DueKind.Milestone && item.Status == Contracts.MilestoneStatus.Scheduled ? Contracts.MilestoneStatus.NotMet : item.Status,
        };
        return this with { Items = items.SetItem(index, item) };
    }
}

/// <summary>The deadline or one milestone: when it is due, whether and when it was met, whether the clock noticed it overdue.</summary>
public sealed record DueItemState(string Key, DueKind Kind, string? MilestoneId, DateOnly DueOn)
{
    public MilestoneStatus Status { get; init; } = MilestoneStatus.Scheduled;
    public DateOnly? MetOn { get; init; }

    /// <summary>The clock's overdue notice is open: no meeting, fulfilment, withdrawal or revision has closed it.</summary>
    public bool OverdueOpen { get; init; }

    /// <summary>The due date the open notice was for.</summary>
    public DateOnly? OverdueDueOn { get; init; }

    /// <summary>The clock once noticed this item overdue; a later revision does not undo the slip.</summary>
    public bool OverdueNoticed { get; init; }

    /// <summary>The day a claim verified just now was made: the milestone's met date once it is marked met.</summary>
    public DateOnly? ClaimedMetOn { get; init; }

    [JsonIgnore]
    public bool HasFallenDue => MetOn is not null || OverdueNoticed || Status == MilestoneStatus.NotMet;

    [JsonIgnore]
    public bool MetOnTime => MetOn is { } met && met <= DueOn && !OverdueNoticed;

    internal DueItemState CloseOverdue() => OverdueOpen ? this with { OverdueOpen = false, OverdueDueOn = null } : this;

    /// <summary>Moved to a new date: an open notice for another date no longer stands.</summary>
    internal DueItemState Reschedule(DateOnly due)
    {
        var moved = this with { DueOn = due };
        return moved.OverdueDueOn != due ? moved.CloseOverdue() : moved;
    }
}

/// <summary>A fulfilment claim awaiting its verdict, with the day (Beijing time) it was made.</summary>
public sealed record OpenClaim(string ClaimId, ClaimScope Scope, string? Subject, DateOnly ClaimedOn);

/// <summary>The pilot zone's calendar (China Standard Time): dates are taken at UTC+8, by the deciders and every read model.</summary>
public static class Zone
{
    public static TimeSpan Offset => Require.ZoneOffset;

    public static DateOnly Date(DateTimeOffset at) => Require.Today(at);
}
