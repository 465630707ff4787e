namespace Ledger.Projections.Querying;

/// <summary>
/// What a reader asks of one view: its filters by name, the sort ("key", or "-key" for descending),
/// the cursor of the page to resume after and the page size, all as the reader wrote them. The API
/// builds one from a query string and the console from its filter form, so that both are checked and
/// answered by the same code (<see cref="ViewQuery"/>).
/// </summary>
public sealed record ViewRequest(IReadOnlyDictionary<string, string> Filters, string? Sort = null, string? Cursor = null, string? Limit = null)
{
    public const string SortName = "sort";
    public const string CursorName = "cursor";
    public const string LimitName = "limit";

    /// <summary>The parameters every view takes beside its own filters.</summary>
    public static readonly IReadOnlyList<string> Paging = [SortName, LimitName, CursorName];

    public static ViewRequest Empty { get; } = new(new Dictionary<string, string>());

    /// <summary>
    /// A request from query parameters in the order they were sent: only the view's own filters and the
    /// paging parameters, each at most once; the first parameter that breaks either rule is refused.
    /// </summary>
    public static ViewRequest FromParameters(IEnumerable<KeyValuePair<string, IReadOnlyList<string?>>> parameters, IReadOnlyCollection<string> filters)
    {
        var given = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, values) in parameters)
        {
            if (!filters.Contains(name, StringComparer.Ordinal) && !Paging.Contains(name, StringComparer.Ordinal))
                throw ViewRefused.Malformed("unknown_filter",
                    $"'{name}' is not a filter of this view; it takes {string.Join(", ", filters.Concat(Paging))}.", name);
            if (values.Count > 1)
                throw ViewRefused.Malformed("repeated_filter", $"'{name}' is given more than once.", name);
            given[name] = values.Count == 0 ? "" : values[0] ?? "";
        }
        var sort = Take(given, SortName);
        var cursor = Take(given, CursorName);
        var limit = Take(given, LimitName);
        return new ViewRequest(given, sort, cursor, limit);
    }

    private static string? Take(Dictionary<string, string> given, string name) => given.Remove(name, out var value) ? value : null;
}

/// <summary>Whether refused input could not be read at all (a malformed value) or was read and is not one the view allows.</summary>
public enum RefusalKind { Malformed, NotAllowed }

/// <summary>
/// Input a view refuses before anything is read, naming the parameter at fault with a stable code;
/// the API answers it as problem+json (400 when malformed, 422 when not allowed), the console shows it
/// in words beside the field.
/// </summary>
public sealed class ViewRefused(RefusalKind kind, string code, string message, string field) : Exception(message)
{
    public RefusalKind Kind { get; } = kind;
    public string Code { get; } = code;
    public string Field { get; } = field;

    public static ViewRefused Malformed(string code, string message, string field) => new(RefusalKind.Malformed, code, message, field);

    public static ViewRefused NotAllowed(string code, string message, string field) => new(RefusalKind.NotAllowed, code, message, field);
}
