namespace Ledger.Domain;

/// <summary>Small guards shared by the deciders; each throws a <see cref="DomainException"/> with a stable code.</summary>
internal static class Require
{
    public static void Text(string? value, string field, int maxLength = 2000)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw DomainException.Rule("required", $"'{field}' is required.", field);
        if (value.Length > maxLength)
            throw DomainException.Rule("too_long", $"'{field}' is longer than {maxLength} characters.", field);
    }

    public static T Present<T>(T? item, string field) where T : class =>
        item ?? throw DomainException.Rule("required", $"'{field}' must not be null.", field);

    public static void Role(Actor actor, ActorRole role, string action)
    {
        if (actor.Role != role)
            throw DomainException.Forbidden("role_not_allowed", $"Only the {role.ToString().ToLowerInvariant()} role may {action}.");
    }

    /// <summary>The pilot zone keeps China Standard Time: "today" is the date at UTC+8, not at UTC.</summary>
    public static readonly TimeSpan ZoneOffset = TimeSpan.FromHours(8);

    public static DateOnly Today(DateTimeOffset now) => DateOnly.FromDateTime(now.ToOffset(ZoneOffset).DateTime);

    public static void NotInFuture(DateOnly date, DateTimeOffset now, string field)
    {
        if (date > Today(now))
            throw DomainException.Rule("date_in_future", $"'{field}' ({date:yyyy-MM-dd}) is in the future.", field);
    }
}
