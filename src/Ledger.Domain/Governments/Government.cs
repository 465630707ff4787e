using System.Text.RegularExpressions;
using Ledger.Contracts;

namespace Ledger.Domain.Governments;

public sealed record GovernmentState(string GovernmentId, string NameZh, string NameEn, Province Province, string Prefecture, GovernmentLevel Level)
{
    public static GovernmentState? Evolve(GovernmentState? state, object @event) => @event switch
    {
        GovernmentRegistered e => new GovernmentState(e.GovernmentId, e.NameZh, e.NameEn, e.Province, e.Prefecture, e.Level),
        _ => state,
    };
}

public sealed record RegisterGovernment(
    string GovernmentId, string NameZh, string NameEn, Province Province, string Prefecture, GovernmentLevel Level,
    Actor Actor, DateTimeOffset Now);

public static partial class GovernmentDecider
{
    /// <summary>
    /// Invariants: only an administrator keeps the registry; the id is a six-digit administrative
    /// division code (GB/T 2260); a code is registered once.
    /// </summary>
    public static IReadOnlyList<object> Decide(GovernmentState? state, RegisterGovernment command)
    {
        Require.Role(command.Actor, ActorRole.Admin, "register governments");
        if (!DivisionCode().IsMatch(command.GovernmentId ?? ""))
            throw DomainException.Rule("invalid_division_code", "'governmentId' must be a six-digit administrative division code.", "governmentId");
        if (state is not null)
            throw DomainException.Conflict("government_exists", $"Government {command.GovernmentId} is already registered.", "governmentId");
        Require.Text(command.NameZh, "nameZh", 100);
        Require.Text(command.NameEn, "nameEn", 100);
        Require.Text(command.Prefecture, "prefecture", 100);
        return [new GovernmentRegistered(command.GovernmentId!, command.NameZh, command.NameEn, command.Province,
            command.Prefecture, command.Level, command.Actor.Id, command.Now)];
    }

    [GeneratedRegex("^[1-8][0-9]{5}$")]
    private static partial Regex DivisionCode();
}
