using System.Text.RegularExpressions;
using Ledger.Contracts;

namespace Ledger.Domain.Accounts;

/// <summary>What the deciders need to know about an account, folded from its events.</summary>
public sealed record AccountState(string AccountId, AccountRole Role, string? GovernmentId, bool Disabled)
{
    public static AccountState? Evolve(AccountState? state, object @event) => @event switch
    {
        AccountCreated e => new AccountState(e.AccountId, e.Role, e.GovernmentId, Disabled: false),
        AccountRoleGranted e when state is not null => state with { Role = e.Role, GovernmentId = e.GovernmentId },
        AccountDisabled when state is not null => state with { Disabled = true },
        _ => state,
    };
}

public sealed record CreateAccount(string AccountId, AccountRole Role, string? GovernmentId, Actor Actor, DateTimeOffset Now);

public sealed record GrantAccountRole(string AccountId, AccountRole Role, string? GovernmentId, Actor Actor, DateTimeOffset Now);

public sealed record DisableAccount(string AccountId, Actor Actor, DateTimeOffset Now);

public sealed record ResetAccountPassword(string AccountId, Actor Actor, DateTimeOffset Now);

public sealed record ChangeAccountPassword(string AccountId, Actor Actor, DateTimeOffset Now);

/// <summary>
/// An account's life. The password itself never reaches these decisions: it is kept beside the
/// events, and the events say only who changed what, and when.
/// </summary>
public static partial class AccountDecider
{
    /// <summary>
    /// Invariants: only an administrator opens accounts; a name is 3-64 lower-case letters, digits,
    /// dots, dashes or underscores and is taken once; a government account is bound to a six-digit
    /// division code and no other account is bound to one.
    /// </summary>
    public static IReadOnlyList<object> Decide(AccountState? state, CreateAccount c)
    {
        Require.Role(c.Actor, ActorRole.Admin, "open accounts");
        if (!NamePattern().IsMatch(c.AccountId ?? ""))
            throw DomainException.Rule("invalid_account_name", "'name' must be 3-64 lower-case letters, digits, dots, dashes or underscores, starting with a letter.", "name");
        if (state is not null)
            throw DomainException.Conflict("account_exists", $"Account {c.AccountId} already exists.", "name");
        CheckRole(c.Role, c.GovernmentId);
        return [new AccountCreated(c.AccountId!, c.Role, c.GovernmentId, c.Actor.Id, c.Now)];
    }

    /// <summary>
    /// Invariants: only an administrator grants roles, on an account that exists and is not disabled;
    /// granting the role the account holds already changes nothing.
    /// </summary>
    public static IReadOnlyList<object> Decide(AccountState? state, GrantAccountRole c)
    {
        Require.Role(c.Actor, ActorRole.Admin, "grant roles");
        var s = Enabled(state, c.AccountId);
        CheckRole(c.Role, c.GovernmentId);
        if (s.Role == c.Role && s.GovernmentId == c.GovernmentId) return [];
        return [new AccountRoleGranted(s.AccountId, c.Role, c.GovernmentId, c.Actor.Id, c.Now)];
    }

    /// <summary>Invariants: only an administrator disables an account; disabling a disabled account changes nothing.</summary>
    public static IReadOnlyList<object> Decide(AccountState? state, DisableAccount c)
    {
        Require.Role(c.Actor, ActorRole.Admin, "disable accounts");
        var s = Existing(state, c.AccountId);
        if (s.Disabled) return [];
        return [new AccountDisabled(s.AccountId, c.Actor.Id, c.Now)];
    }

    /// <summary>Invariants: only an administrator resets a password, of an account that is not disabled.</summary>
    public static IReadOnlyList<object> Decide(AccountState? state, ResetAccountPassword c)
    {
        Require.Role(c.Actor, ActorRole.Admin, "reset passwords");
        var s = Enabled(state, c.AccountId);
        return [new AccountPasswordReset(s.AccountId, c.Actor.Id, c.Now)];
    }

    /// <summary>Invariants: a person changes only their own password, and only while their account is enabled.</summary>
    public static IReadOnlyList<object> Decide(AccountState? state, ChangeAccountPassword c)
    {
        if (c.Actor.Id != c.AccountId)
            throw DomainException.Forbidden("not_your_account", $"{c.Actor.Id} may change only their own password.");
        var s = Enabled(state, c.AccountId);
        return [new AccountPasswordChanged(s.AccountId, c.Actor.Id, c.Now)];
    }

    public static bool IsDivisionCode(string? code) => DivisionCode().IsMatch(code ?? "");

    private static AccountState Existing(AccountState? state, string accountId) =>
        state ?? throw DomainException.NotFound("account_not_found", $"There is no account {accountId}.", "name");

    private static AccountState Enabled(AccountState? state, string accountId)
    {
        var s = Existing(state, accountId);
        if (s.Disabled) throw DomainException.Conflict("account_disabled", $"Account {accountId} is disabled.", "name");
        return s;
    }

    private static void CheckRole(AccountRole role, string? governmentId)
    {
        if (!Enum.IsDefined(role))
            throw DomainException.Rule("invalid_role", $"'{role}' is not a role an account can hold.", "role");
        if (role == AccountRole.Government)
        {
            if (!DivisionCode().IsMatch(governmentId ?? ""))
                throw DomainException.Rule("invalid_division_code", "A government account needs a six-digit administrative division code.", "government");
        }
        else if (governmentId is not null)
        {
            throw DomainException.Rule("government_not_allowed", "Only a government account is bound to a government.", "government");
        }
    }

    [GeneratedRegex("^[a-z][a-z0-9._-]{2,63}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[1-8][0-9]{5}$")]
    private static partial Regex DivisionCode();
}
