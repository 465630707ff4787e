using System.Collections.Immutable;
using Ledger.Contracts;
using Ledger.Domain.Commitments;

namespace Ledger.Domain.Evaluation;

/// <summary>
/// A milestone as method 1.0 reads it, kept so that cycles published under 1.0 score again as they did:
/// its due date in force and the date its judgement recorded. Later methods read the commitment's
/// lifecycle instead (<see cref="CommitmentFacts.Lifecycle"/>), as the records and views do.
/// </summary>
public sealed record MilestoneFacts(string MilestoneId, DateOnly Due, MilestoneStatus Status, DateOnly? MetOn);

/// <summary>A fulfilment claim as the method needs it: what it claimed and the zone date it was made.</summary>
public sealed record ClaimFacts(string ClaimId, ClaimScope Scope, string? Subject, DateOnly ClaimedOn);

/// <summary>One progress report with its values as corrected since (a correction replaces the values it names).</summary>
public sealed record ReportFacts(string ReportId, string Period, DateTimeOffset ReportedAt, ImmutableDictionary<string, decimal?> Values);

public sealed record VerificationFacts(string ClaimId, Verdict Verdict, DateTimeOffset VerifiedAt);

/// <summary>A rectification order: whom it binds, its due date in force (a rejection may move it) and when it was accepted.</summary>
public sealed record RectificationFacts(string RectificationId, string GovernmentId, DateOnly DueOn, DateTimeOffset? AcceptedAt);

/// <summary>What the scoring method reads from one commitment's events. Folded purely, like the deciders' state.</summary>
public sealed record CommitmentFacts(
    string CommitmentId,
    string LeadGovernmentId,
    bool Activated,
    bool Withdrawn,
    ImmutableHashSet<string> Contributors,
    ImmutableDictionary<string, Indicator> Indicators,
    ImmutableDictionary<string, MilestoneFacts> Milestones,
    ImmutableList<ReportFacts> Reports,
    ImmutableList<VerificationFacts> Verifications,
    ImmutableDictionary<string, RectificationFacts> Rectifications)
{
    public ImmutableDictionary<string, ClaimFacts> Claims { get; init; } = ImmutableDictionary<string, ClaimFacts>.Empty;

    /// <summary>The commitment's lifecycle: its due items met, on time or late, by the rules the records and views use.</summary>
    public CommitmentLifecycle Lifecycle { get; init; } = new();

    /// <summary>Under supervision: activated once and not withdrawn. Drafts and withdrawn commitments are not scored.</summary>
    public bool IsScored => Activated && !Withdrawn;

    public bool IsParticipant(string governmentId) => LeadGovernmentId == governmentId || Contributors.Contains(governmentId);

    /// <summary>The actual value shown for an indicator period: the latest report for the period that gives one.</summary>
    public decimal? Actual(string indicatorId, string period)
    {
        for (var i = Reports.Count - 1; i >= 0; i--)
        {
            if (Reports[i].Period == period && Reports[i].Values.TryGetValue(indicatorId, out var value))
                return value;
        }
        return null;
    }

    /// <summary>When the first report giving a value for the indicator period arrived, if one has.</summary>
    public DateTimeOffset? FirstReportedAt(string indicatorId, string period) =>
        Reports.FirstOrDefault(r => r.Period == period && r.Values.ContainsKey(indicatorId))?.ReportedAt;

    public static CommitmentFacts? Evolve(CommitmentFacts? facts, object @event) =>
        Read(facts, @event) is { } next ? next with { Lifecycle = (facts?.Lifecycle ?? new()).Apply(@event) } : null;

    private static CommitmentFacts? Read(CommitmentFacts? facts, object @event) => (facts, @event) switch
    {
        (null, CommitmentRegistered e) => new CommitmentFacts(e.CommitmentId, e.LeadGovernmentId, false, false, [],
            ImmutableDictionary<string, Indicator>.Empty, ImmutableDictionary<string, MilestoneFacts>.Empty, [], [],
            ImmutableDictionary<string, RectificationFacts>.Empty),
        ({ } f, ContributorAssigned e) => f with { Contributors = f.Contributors.Add(e.GovernmentId) },
        ({ } f, CommitmentActivated) => f with { Activated = true },
        ({ } f, CommitmentWithdrawn) => f with { Withdrawn = true },
        ({ } f, IndicatorDefined e) => f with { Indicators = f.Indicators.SetItem(e.Indicator.IndicatorId, e.Indicator) },
        ({ } f, MilestoneScheduled e) => f with
        {
            Milestones = f.Milestones.SetItem(e.Milestone.MilestoneId, new MilestoneFacts(e.Milestone.MilestoneId, e.Milestone.Due, MilestoneStatus.Scheduled, null)),
        },
        ({ } f, MilestoneStatusChanged e) when f.Milestones.TryGetValue(e.MilestoneId, out var m) => f with
        {
            Milestones = f.Milestones.SetItem(e.MilestoneId, m with { Status = e.Status, MetOn = e.MetOn }),
        },
        ({ } f, FulfilmentClaimed e) => f with
        {
            Claims = f.Claims.SetItem(e.ClaimId, new ClaimFacts(e.ClaimId, e.Scope, e.Subject, Require.Today(e.ClaimedAt))),
        },
        ({ } f, CommitmentRevised e) => f with
        {
            // As in the commitment's own state: a rescheduled milestone takes its new date, and one judged
            // not met is scheduled again under it.
            Milestones = f.Milestones.SetItems(e.RescheduledMilestones
                .Where(m => f.Milestones.ContainsKey(m.MilestoneId))
                .Select(m =>
                {
                    var old = f.Milestones[m.MilestoneId];
                    var again = old.Status == MilestoneStatus.NotMet ? old with { Status = MilestoneStatus.Scheduled, MetOn = null } : old;
                    return KeyValuePair.Create(m.MilestoneId, again with { Due = m.Due });
                })),
        },
        ({ } f, ProgressReported e) => f with
        {
            Reports = f.Reports.Add(new ReportFacts(e.ReportId, e.Period, e.ReportedAt,
                e.Values.ToImmutableDictionary(v => v.IndicatorId, v => v.Value))),
        },
        ({ } f, ProgressCorrected e) when f.Reports.FindIndex(r => r.ReportId == e.CorrectsReportId) is var i and >= 0 => f with
        {
            Reports = f.Reports.SetItem(i, f.Reports[i] with
            {
                Values = f.Reports[i].Values.SetItems(e.Values.Select(v => KeyValuePair.Create(v.IndicatorId, v.Value))),
            }),
        },
        ({ } f, VerificationCompleted e) => f with
        {
            Verifications = f.Verifications.Add(new VerificationFacts(e.ClaimId, e.Verdict, e.VerifiedAt)),
        },
        ({ } f, RectificationOrdered e) => f with
        {
            Rectifications = f.Rectifications.SetItem(e.RectificationId, new RectificationFacts(e.RectificationId, e.GovernmentId, e.DueOn, null)),
        },
        ({ } f, RectificationRejected e) when f.Rectifications.TryGetValue(e.RectificationId, out var r) => f with
        {
            Rectifications = f.Rectifications.SetItem(e.RectificationId, r with { DueOn = e.NewDueOn ?? r.DueOn }),
        },
        ({ } f, RectificationAccepted e) when f.Rectifications.TryGetValue(e.RectificationId, out var r) => f with
        {
            Rectifications = f.Rectifications.SetItem(e.RectificationId, r with { AcceptedAt = e.AcceptedAt }),
        },
        _ => facts,
    };
}

/// <summary>A registered government as the method needs it: its code and its province ("both provinces").</summary>
public sealed record GovernmentFacts(string GovernmentId, Province Province);

/// <summary>Everything the scoring method reads: the registry and every commitment's facts.</summary>
public sealed record ScoringFacts(IReadOnlyList<GovernmentFacts> Governments, IReadOnlyList<CommitmentFacts> Commitments)
{
    public static ScoringFacts Empty { get; } = new([], []);

    /// <summary>Folds each commitment's events, given stream by stream in stream order.</summary>
    public static ScoringFacts From(IEnumerable<GovernmentFacts> governments, IEnumerable<IEnumerable<object>> commitmentStreams) =>
        new([.. governments],
            [.. commitmentStreams.Select(events => events.Aggregate((CommitmentFacts?)null, CommitmentFacts.Evolve)).OfType<CommitmentFacts>()]);
}
