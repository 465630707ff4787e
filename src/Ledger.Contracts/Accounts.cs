namespace Ledger.Contracts;

/// <summary>
/// The roles a person's account can hold in the console. The administrator is not among them: accounts
/// are kept with the command-line tool on the ledger's own machine, never from a browser.
/// </summary>
public enum AccountRole { Government, Supervisor, Decision, Auditor }

/// <summary>
/// An administrator opened an account for a person, in one role (a government account bound to its
/// division code). The password is set beside the event, never in it: no event holds a password or its hash.
/// </summary>
public sealed record AccountCreated(
    string AccountId,
    AccountRole Role,
    string? GovernmentId,
    string CreatedBy,
    DateTimeOffset CreatedAt);

/// <summary>An administrator gave an account another role (and, for a government, the code it is bound to); the one before lapses.</summary>
public sealed record AccountRoleGranted(
    string AccountId,
    AccountRole Role,
    string? GovernmentId,
    string GrantedBy,
    DateTimeOffset GrantedAt);

/// <summary>An administrator disabled an account: from then on it signs in nowhere and its open sessions end.</summary>
public sealed record AccountDisabled(string AccountId, string DisabledBy, DateTimeOffset DisabledAt);

/// <summary>The person changed their own password (who and when; never the password).</summary>
public sealed record AccountPasswordChanged(string AccountId, string ChangedBy, DateTimeOffset ChangedAt);

/// <summary>An administrator gave the account a one-time password, to be changed at the next sign-in; its open sessions end.</summary>
public sealed record AccountPasswordReset(string AccountId, string ResetBy, DateTimeOffset ResetAt);
