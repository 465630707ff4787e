namespace Ledger.Domain;

public enum ActorRole { Government, Supervisor, Decision, Auditor, Admin, System, National }

/// <summary>Who sends a command: an id, the role they act in, and for a government the code it is bound to.</summary>
public sealed record Actor(string Id, ActorRole Role, string? GovernmentId = null)
{
    public static Actor System { get; } = new("system", ActorRole.System);

    public bool IsGovernment(string governmentId) =>
        Role == ActorRole.Government && string.Equals(GovernmentId, governmentId, StringComparison.Ordinal);
}
