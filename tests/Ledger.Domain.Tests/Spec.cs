using System.Text.Json;
using System.Text.Json.Serialization;
using Ledger.Domain.Accounts;
using Ledger.Domain.Agreements;
using Ledger.Domain.Commitments;
using Ledger.Domain.Evaluation;
using Ledger.Domain.Governments;

namespace Ledger.Domain.Tests;

/// <summary>
/// Given(events).When(decision).Then(events) for the pure deciders. The given events are folded with
/// the state's own Evolve, so a test exercises exactly what the command handler will replay.
/// </summary>
internal static class Spec
{
    public static History Given(params object[] events) => new(events);

    /// <summary>
    /// Events hold IReadOnlyList members, so record equality compares list references; they are
    /// compared by their JSON instead, prefixed with the type name so that two events of different
    /// types with the same fields never match.
    /// </summary>
    public static string Describe(object @event) =>
        @event.GetType().FullName + " " + JsonSerializer.Serialize(@event, @event.GetType(), Json);

    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };
}

internal sealed class History(IReadOnlyList<object> events)
{
    // One overload per aggregate: the compiler picks the one whose state type the decision accepts.
    public Outcome<GovernmentState> When(Func<GovernmentState?, IReadOnlyList<object>> decide) => Run(GovernmentState.Evolve, decide);

    public Outcome<AgreementState> When(Func<AgreementState?, IReadOnlyList<object>> decide) => Run(AgreementState.Evolve, decide);

    public Outcome<CommitmentState> When(Func<CommitmentState?, IReadOnlyList<object>> decide) => Run(CommitmentState.Evolve, decide);

    public Outcome<EvaluationState> When(Func<EvaluationState?, IReadOnlyList<object>> decide) => Run(EvaluationState.Evolve, decide);

    public Outcome<AccountState> When(Func<AccountState?, IReadOnlyList<object>> decide) => Run(AccountState.Evolve, decide);

    private Outcome<TState> Run<TState>(Func<TState?, object, TState?> evolve, Func<TState?, IReadOnlyList<object>> decide)
        where TState : class
    {
        var state = events.Aggregate((TState?)null, evolve);
        try
        {
            return new Outcome<TState>(evolve, state, decide(state), null);
        }
        catch (Exception error)
        {
            return new Outcome<TState>(evolve, state, null, error);
        }
    }
}

internal sealed class Outcome<TState>(
    Func<TState?, object, TState?> evolve, TState? given, IReadOnlyList<object>? decided, Exception? error)
    where TState : class
{
    /// <summary>The decision succeeded and produced exactly these events, in this order.</summary>
    public Outcome<TState> Then(params object[] expected)
    {
        if (decided is null)
            Assert.Fail($"Expected {expected.Length} event(s), but the decision failed: {error}");
        Assert.Equal(expected.Select(Spec.Describe), decided.Select(Spec.Describe));
        return this;
    }

    /// <summary>The state after the given and the decided events, folded with Evolve.</summary>
    public Outcome<TState> AndState(Action<TState> assert)
    {
        if (decided is null)
            Assert.Fail($"The decision failed, so there is no state after it: {error}");
        var after = decided.Aggregate(given, evolve);
        Assert.NotNull(after);
        assert(after);
        return this;
    }

    /// <summary>The decision was refused with this kind, stable code and faulty field (null when the decider names none).</summary>
    public DomainException ThenFails(DomainErrorKind kind, string code, string? field = null)
    {
        if (error is null)
            Assert.Fail($"Expected '{code}', but the decision produced: {string.Join("; ", (decided ?? []).Select(Spec.Describe))}");
        var refusal = Assert.IsType<DomainException>(error);
        Assert.Equal((kind, code, field), (refusal.Kind, refusal.Code, refusal.Field));
        Assert.False(string.IsNullOrWhiteSpace(refusal.Message));
        return refusal;
    }
}
