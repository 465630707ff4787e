namespace Ledger.Domain;

/// <summary>How a broken rule should be answered; the API maps each to one HTTP status.</summary>
public enum DomainErrorKind
{
    /// <summary>The command is well formed but breaks a business rule (422).</summary>
    Rule,
    /// <summary>The command conflicts with the current state: a duplicate id or a wrong status (409).</summary>
    Conflict,
    /// <summary>The actor may not do this (403).</summary>
    Forbidden,
    /// <summary>Something the command names does not exist (404).</summary>
    NotFound,
}

/// <summary>A decision refused a command. <see cref="Code"/> is stable and documented; <see cref="Field"/> names the input at fault.</summary>
public sealed class DomainException : Exception
{
    public DomainException(DomainErrorKind kind, string code, string message, string? field = null)
        : base(message)
    {
        Kind = kind;
        Code = code;
        Field = field;
    }

    public DomainException() : this(DomainErrorKind.Rule, "rule_broken", "A rule was broken.") { }

    public DomainException(string message) : this(DomainErrorKind.Rule, "rule_broken", message) { }

    public DomainException(string message, Exception innerException) : base(message, innerException)
    {
        Code = "rule_broken";
    }

    public DomainErrorKind Kind { get; }
    public string Code { get; }
    public string? Field { get; }

    public static DomainException Rule(string code, string message, string? field = null) => new(DomainErrorKind.Rule, code, message, field);
    public static DomainException Conflict(string code, string message, string? field = null) => new(DomainErrorKind.Conflict, code, message, field);
    public static DomainException Forbidden(string code, string message) => new(DomainErrorKind.Forbidden, code, message);
    public static DomainException NotFound(string code, string message, string? field = null) => new(DomainErrorKind.NotFound, code, message, field);
}
