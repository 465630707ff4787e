using System.Text.RegularExpressions;
using Ledger.Contracts;

namespace Ledger.Domain.Evaluation;

public sealed record OpenEvaluationCycle(
    string CycleId, string Period, DateOnly Start, DateOnly End, string MethodVersion, ScoreWeights Weights,
    Actor Actor, DateTimeOffset Now);

/// <summary>Publish the cycle's scorecards, computed by the method from <paramref name="Facts"/> (the ledger as it stands).</summary>
public sealed record PublishScorecards(string CycleId, ScoringFacts Facts, Actor Actor, DateTimeOffset Now);

/// <summary>Appeal a published score. <paramref name="GovernmentId"/> is the scorecard's government; null means the caller's own.</summary>
public sealed record AppealScore(string CycleId, string AppealId, string? GovernmentId, string Grounds, Actor Actor, DateTimeOffset Now);

public sealed record DecideAppeal(string CycleId, string AppealId, bool Upheld, decimal? RevisedTotal, string Findings, Actor Actor, DateTimeOffset Now);

public static partial class EvaluationDecider
{
    /// <summary>A published score may be appealed for this long after its publication (by event time).</summary>
    public static readonly TimeSpan AppealWindow = TimeSpan.FromDays(30);

    /// <summary>
    /// Invariants: only a supervisor opens a cycle, once; the cycle starts on or before it ends (it may
    /// be opened in advance); the method version is named and is one the method knows (its rules are
    /// fixed with the cycle, so its scorecards never change with a later version); each weight is 0-100
    /// and they sum to exactly 100.
    /// </summary>
    public static IReadOnlyList<object> Decide(EvaluationState? state, OpenEvaluationCycle c)
    {
        Require.Role(c.Actor, ActorRole.Supervisor, "open evaluation cycles");
        if (!IdPattern().IsMatch(c.CycleId ?? ""))
            throw DomainException.Rule("invalid_cycle_id", "'cycleId' must be 3-64 lower-case letters, digits or dashes (e.g. 2024 or 2024-q2).", "cycleId");
        if (state is not null)
            throw DomainException.Conflict("cycle_exists", $"Evaluation cycle {c.CycleId} is already open.", "cycleId");
        Require.Text(c.Period, "period", 20);
        if (c.End < c.Start)
            throw DomainException.Rule("period_inverted", "A cycle must end on or after its start.", "end");
        Require.Text(c.MethodVersion, "methodVersion", 50);
        if (!ScoringMethod.Versions.ContainsKey(c.MethodVersion))
            throw DomainException.Rule("unknown_method_version",
                $"Method version '{c.MethodVersion}' is not known; use one of {string.Join(", ", ScoringMethod.Versions.Keys)} ({ScoringMethod.Current} is current).",
                "methodVersion");
        var w = Require.Present(c.Weights, "weights");
        foreach (var (name, weight) in Weights(w))
        {
            if (weight is < 0 or > 100)
                throw DomainException.Rule("weight_out_of_range", $"Weight '{name}' must be from 0 to 100.", "weights." + name);
        }
        var sum = Weights(w).Sum(x => x.Weight);
        if (sum != 100)
            throw DomainException.Rule("weights_do_not_sum_to_100", $"The weights sum to {sum}, not 100.", "weights");
        return [new EvaluationCycleOpened(c.CycleId!, c.Period, c.Start, c.End, c.MethodVersion, w, c.Actor.Id, c.Now)];
    }

    /// <summary>
    /// Invariants: only a supervisor publishes; only once the cycle's last day has passed (zone date);
    /// once per cycle; by the method version the cycle was opened with; every registered government
    /// gets one scorecard, published in rank order, or, when the method found nothing to measure for
    /// it, is published as not scored (after the ranked ones, by division code).
    /// </summary>
    public static IReadOnlyList<object> Decide(EvaluationState? state, PublishScorecards c)
    {
        Require.Role(c.Actor, ActorRole.Supervisor, "publish scorecards");
        var s = Existing(state, c.CycleId);
        if (s.IsPublished)
            throw DomainException.Conflict("scorecards_already_published", $"The scorecards of cycle {s.CycleId} are already published.");
        if (Require.Today(c.Now) <= s.End)
            throw DomainException.Conflict("cycle_not_ended", $"Cycle {s.CycleId} runs until {s.End:yyyy-MM-dd}; its scorecards are published after that day.");
        var facts = Require.Present(c.Facts, "facts");
        if (facts.Governments.Count == 0)
            throw DomainException.Rule("no_governments", "No government is registered, so there is nobody to score.");
        var outcome = ScoringMethod.Score(s.MethodVersion, s.Start, s.End, s.Weights, facts);
        return
        [
            .. outcome.Ranked.Select(card => new ScorecardPublished(
                s.CycleId, card.GovernmentId, card.Components, card.Total, card.Band, card.Rank, card.Of, c.Actor.Id, c.Now)),
            .. outcome.NotScored.Select(card => new GovernmentNotScored(s.CycleId, card.GovernmentId, card.Components, c.Actor.Id, c.Now)),
        ];
    }

    /// <summary>
    /// Invariants: a government appeals only its own published score, within
    /// <see cref="AppealWindow"/> of its publication, with grounds; one open appeal per government at a
    /// time. A government not scored has no score to appeal: what it lacks is something to measure.
    /// </summary>
    public static IReadOnlyList<object> Decide(EvaluationState? state, AppealScore c)
    {
        Require.Role(c.Actor, ActorRole.Government, "appeal scores");
        var s = Existing(state, c.CycleId);
        var government = c.GovernmentId ?? c.Actor.GovernmentId ?? "";
        if (!c.Actor.IsGovernment(government))
            throw DomainException.Forbidden("not_your_scorecard", "A government appeals only its own scorecard.");
        if (!IdPattern().IsMatch(c.AppealId ?? ""))
            throw DomainException.Rule("invalid_appeal_id", "'appealId' must be 3-64 lower-case letters, digits or dashes.", "appealId");
        if (s.Appeals.ContainsKey(c.AppealId!))
            throw DomainException.Conflict("appeal_exists", $"Appeal {c.AppealId} already exists.", "appealId");
        if (!s.IsPublished)
            throw DomainException.Conflict("scorecards_not_published", $"The scorecards of cycle {s.CycleId} are not published yet.");
        if (s.NotScored.ContainsKey(government))
            throw DomainException.Conflict("not_scored",
                $"Government {government} was not scored in cycle {s.CycleId}: nothing was there to measure, so there is no score to appeal.", "governmentId");
        if (!s.Published.TryGetValue(government, out var publishedAt))
            throw DomainException.NotFound("scorecard_not_found", $"Government {government} has no scorecard in cycle {s.CycleId}.", "governmentId");
        if (c.Now - publishedAt > AppealWindow)
            throw DomainException.Conflict("appeal_window_closed", $"Scores may be appealed within {AppealWindow.Days} days of publication.");
        if (s.Appeals.Values.Any(a => a.GovernmentId == government && !a.Decided))
            throw DomainException.Conflict("appeal_already_open", $"Government {government} already has an open appeal in cycle {s.CycleId}.");
        Require.Text(c.Grounds, "grounds", 4000);
        return [new ScoreAppealed(s.CycleId, government, c.AppealId!, c.Grounds, c.Actor.Id, c.Now)];
    }

    /// <summary>
    /// Invariants: only a supervisor decides, an open appeal, once, with findings; an upheld appeal names
    /// the corrected total (0-100, one decimal place, as totals are published) and a dismissed one names none.
    /// </summary>
    public static IReadOnlyList<object> Decide(EvaluationState? state, DecideAppeal c)
    {
        Require.Role(c.Actor, ActorRole.Supervisor, "decide appeals");
        var s = Existing(state, c.CycleId);
        if (!s.Appeals.TryGetValue(c.AppealId ?? "", out var appeal))
            throw DomainException.NotFound("appeal_not_found", $"Appeal {c.AppealId} does not exist in cycle {s.CycleId}.", "appealId");
        if (appeal.Decided)
            throw DomainException.Conflict("appeal_already_decided", $"Appeal {c.AppealId} is already decided.", "appealId");
        switch (c.Upheld, c.RevisedTotal)
        {
            case (true, null):
                throw DomainException.Rule("revised_total_required", "An upheld appeal names the revised total.", "revisedTotal");
            case (false, not null):
                throw DomainException.Rule("revised_total_not_allowed", "A dismissed appeal leaves the total as published.", "revisedTotal");
            case (true, { } total) when total is < 0m or > 100m || Math.Round(total, 1) != total:
                throw DomainException.Rule("invalid_revised_total", "'revisedTotal' is a score from 0 to 100 with at most one decimal place.", "revisedTotal");
        }
        Require.Text(c.Findings, "findings", 4000);
        return [new ScoreAppealDecided(s.CycleId, appeal.GovernmentId, appeal.AppealId, c.Upheld, c.RevisedTotal, c.Findings, c.Actor.Id, c.Now)];
    }

    private static EvaluationState Existing(EvaluationState? state, string cycleId) =>
        state ?? throw DomainException.NotFound("cycle_not_found", $"Evaluation cycle {cycleId} does not exist.", "cycleId");

    private static (string Name, int Weight)[] Weights(ScoreWeights w) =>
    [
        (ScoringMethod.IndicatorAchievement, w.IndicatorAchievement),
        (ScoringMethod.MilestonesOnTime, w.MilestonesOnTime),
        (ScoringMethod.ReportingTimeliness, w.ReportingTimeliness),
        (ScoringMethod.VerificationPassRate, w.VerificationPassRate),
        (ScoringMethod.RectificationOnTime, w.RectificationOnTime),
        (ScoringMethod.JointActions, w.JointActions),
    ];

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{2,63}$")]
    private static partial Regex IdPattern();
}
