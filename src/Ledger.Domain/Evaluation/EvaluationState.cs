using System.Collections.Immutable;
using Ledger.Contracts;

namespace Ledger.Domain.Evaluation;

/// <summary>An appeal against a published score: whose, and whether it has been decided.</summary>
public sealed record AppealState(string AppealId, string GovernmentId, bool Decided);

/// <summary>What the evaluation deciders need to know about a cycle, folded from its events.</summary>
public sealed record EvaluationState(
    string CycleId,
    string Period,
    DateOnly Start,
    DateOnly End,
    string MethodVersion,
    ScoreWeights Weights)
{
    /// <summary>When each government's scorecard was published (the appeal window runs from it).</summary>
    public ImmutableDictionary<string, DateTimeOffset> Published { get; init; } = ImmutableDictionary<string, DateTimeOffset>.Empty;

    /// <summary>The governments published as not scored, with when.</summary>
    public ImmutableDictionary<string, DateTimeOffset> NotScored { get; init; } = ImmutableDictionary<string, DateTimeOffset>.Empty;

    public ImmutableDictionary<string, AppealState> Appeals { get; init; } = ImmutableDictionary<string, AppealState>.Empty;

    // Under 2.0 a cycle where nobody had anything to measure publishes only GovernmentNotScored.
    public bool IsPublished => !Published.IsEmpty || !NotScored.IsEmpty;

    public static EvaluationState? Evolve(EvaluationState? state, object @event) => (state, @event) switch
    {
        (null, EvaluationCycleOpened e) => new EvaluationState(e.CycleId, e.Period, e.Start, e.End, e.MethodVersion, e.Weights),
        ({ } s, ScorecardPublished e) => s with { Published = s.Published.SetItem(e.GovernmentId, e.PublishedAt) },
        ({ } s, GovernmentNotScored e) => s with { NotScored = s.NotScored.SetItem(e.GovernmentId, e.PublishedAt) },
        ({ } s, ScoreAppealed e) => s with { Appeals = s.Appeals.SetItem(e.AppealId, new AppealState(e.AppealId, e.GovernmentId, false)) },
        ({ } s, ScoreAppealDecided e) when s.Appeals.TryGetValue(e.AppealId, out var a) => s with
        {
            Appeals = s.Appeals.SetItem(e.AppealId, a with { Decided = true }),
        },
        _ => state,
    };
}
