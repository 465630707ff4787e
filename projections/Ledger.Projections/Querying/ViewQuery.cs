using System.Globalization;
using System.Linq.Expressions;
using System.Text;
using System.Text.Json;
using Marten;
using Marten.Linq.MatchesSql;

namespace Ledger.Projections.Querying;

/// <summary>One page of a view: the items and the cursor for the next page (null on the last).</summary>
public sealed record ViewPage<T>(IReadOnlyList<T> Items, string? Next);

/// <summary>
/// How a view can be sorted: a SQL expression of type <see cref="SqlType"/> over the document's row —
/// its indexed column where the document has one, so that a page is read in index order — and the
/// same value as <see cref="Value"/> reads it from a loaded document. The document id breaks ties, in the same direction, so
/// that (key, id) orders every row exactly once and a keyset cursor can resume after any row.
/// </summary>
public sealed record SortKey<T>(string Name, string Sql, string SqlType, Func<T, string> Value);

/// <summary>The SQL types sort keys use and the text their values are written as (the cursor carries it).</summary>
public static class SortValues
{
    public const string Date = "date";
    /// <summary>A whole number, as a 64-bit key: compared with an integer or bigint column, by its index either way.</summary>
    public const string Integer = "bigint";
    public const string Numeric = "numeric";
    public const string Text = "text";
    public const string Timestamp = "timestamptz";

    public static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Number(decimal n) => n.ToString(CultureInfo.InvariantCulture);

    public static string Moment(DateTimeOffset at) => at.ToString("O", CultureInfo.InvariantCulture);
}

/// <summary>
/// A view request checked before anything is read: only the view's own filters, a known sort, a limit
/// of 1–200, and a cursor issued for the same sort. Each refusal is a <see cref="ViewRefused"/> naming
/// the parameter at fault.
/// </summary>
public sealed class ViewQuery
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    /// <summary>Room, with a wide margin, for the longest cursor this API issues (its ids are at most a few hundred ASCII characters).</summary>
    public const int MaxCursorLength = 2_000;

    private readonly ViewRequest _request;

    private ViewQuery(ViewRequest request) => _request = request;

    public static ViewQuery For(ViewRequest request, IReadOnlyCollection<string> filters)
    {
        foreach (var name in request.Filters.Keys)
        {
            if (!filters.Contains(name, StringComparer.Ordinal))
                throw ViewRefused.Malformed("unknown_filter",
                    $"'{name}' is not a filter of this view; it takes {string.Join(", ", filters.Concat(ViewRequest.Paging))}.", name);
        }
        return new ViewQuery(request);
    }

    public string? Text(string name)
    {
        var value = name switch
        {
            ViewRequest.SortName => _request.Sort,
            ViewRequest.CursorName => _request.Cursor,
            ViewRequest.LimitName => _request.Limit,
            _ => _request.Filters.GetValueOrDefault(name),
        };
        if (string.IsNullOrWhiteSpace(value)) return null;
        // A cursor carries a row's key and id as escaped JSON in base64: one issued for a long id (an
        // order "commitment/rectification" sorted by time) runs to some 150 characters, past the
        // filters' 100. Longer than any this API issues, it is refused as not one of its cursors.
        if (name == ViewRequest.CursorName)
            return value.Length <= MaxCursorLength ? value.Trim()
                : throw ViewRefused.Malformed("invalid_cursor", "'cursor' is not a cursor this API issued.", ViewRequest.CursorName);
        if (value.Length > 100)
            throw ViewRefused.Malformed("invalid_filter", $"'{name}' is longer than 100 characters.", name);
        return value.Trim();
    }

    /// <summary>An enum by its exact name (as the views show it); anything else names the allowed values.</summary>
    public TEnum? Enum<TEnum>(string name) where TEnum : struct, Enum
    {
        var value = Text(name);
        if (value is null) return null;
        if (System.Enum.GetNames<TEnum>().Contains(value, StringComparer.Ordinal))
            return System.Enum.Parse<TEnum>(value);
        throw ViewRefused.NotAllowed("invalid_filter_value", $"'{name}' must be one of {string.Join(", ", System.Enum.GetNames<TEnum>())}.", name);
    }

    public string? OneOf(string name, params string[] allowed)
    {
        var value = Text(name);
        if (value is null || allowed.Contains(value, StringComparer.Ordinal)) return value;
        throw ViewRefused.NotAllowed("invalid_filter_value", $"'{name}' must be one of {string.Join(", ", allowed)}.", name);
    }

    public bool? Flag(string name) => Text(name)?.ToLowerInvariant() switch
    {
        null => null,
        "true" => true,
        "false" => false,
        _ => throw ViewRefused.Malformed("invalid_flag", $"'{name}' must be true or false.", name),
    };

    /// <summary>A year ("2024"), a quarter ("2024-Q2") or a month ("2024-06"), as the first and last day it covers.</summary>
    public (DateOnly From, DateOnly To, string Label)? Period(string name = "period")
    {
        var value = Text(name);
        if (value is null) return null;
        var parts = value.Split('-');
        if (parts[0].Length == 4 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var year) && year is >= 1900 and <= 2999)
        {
            if (parts.Length == 1)
                return (new DateOnly(year, 1, 1), new DateOnly(year, 12, 31), value);
            if (parts.Length == 2 && parts[1] is ['Q', var q] && q is >= '1' and <= '4')
            {
                var first = new DateOnly(year, (q - '1') * 3 + 1, 1);
                return (first, first.AddMonths(3).AddDays(-1), value);
            }
            if (parts.Length == 2 && parts[1].Length == 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var month) && month is >= 1 and <= 12)
            {
                var first = new DateOnly(year, month, 1);
                return (first, first.AddMonths(1).AddDays(-1), value);
            }
        }
        throw ViewRefused.Malformed("invalid_period", $"'{name}' must be a year (2024), a quarter (2024-Q2) or a month (2024-06).", name);
    }

    public int Limit()
    {
        var raw = Text(ViewRequest.LimitName);
        if (raw is null) return DefaultLimit;
        if (!int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var limit))
            throw ViewRefused.Malformed("invalid_limit", $"'limit' must be a whole number from 1 to {MaxLimit}.", ViewRequest.LimitName);
        if (limit is < 1 or > MaxLimit)
            throw ViewRefused.NotAllowed("limit_out_of_range", $"'limit' must be between 1 and {MaxLimit}.", ViewRequest.LimitName);
        return limit;
    }

    /// <summary>
    /// The filters checked so far with the sort, limit and cursor checked now: a view ready to be read.
    /// <paramref name="select"/>, where a whole document is more than its rows show, names the fields a
    /// page reads of each; it must keep the id and every sort key's value.
    /// </summary>
    public CheckedView<T> Check<T>(IReadOnlyList<Expression<Func<T, bool>>> filters, IReadOnlyList<SortKey<T>> sorts, Func<T, string> id,
        Expression<Func<T, T>>? select = null)
        where T : notnull => new(filters, Plan(sorts), id, select);

    /// <summary>The requested sort ("-key" descending), the limit, and the row the cursor resumes after.</summary>
    public ViewPlan<T> Plan<T>(IReadOnlyList<SortKey<T>> sorts) where T : notnull
    {
        var requested = Text(ViewRequest.SortName) ?? sorts[0].Name;
        var descending = requested.StartsWith('-');
        var name = descending ? requested[1..] : requested;
        var sort = sorts.FirstOrDefault(s => s.Name == name)
            ?? throw ViewRefused.NotAllowed("unknown_sort",
                $"'sort' must be one of {string.Join(", ", sorts.Select(s => s.Name))}, with '-' before it for descending order.", ViewRequest.SortName);
        var limit = Limit();
        if (Text(ViewRequest.CursorName) is not { } cursor) return new ViewPlan<T>(requested, sort, descending, limit, null);

        var (key, lastId) = Cursor.Read(cursor, requested);
        // A key that cannot be cast would fail in PostgreSQL: refuse it here as the bad input it is.
        var readable = sort.SqlType switch
        {
            SortValues.Integer => long.TryParse(key, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
            SortValues.Numeric => decimal.TryParse(key, NumberStyles.Number, CultureInfo.InvariantCulture, out _),
            SortValues.Date => DateOnly.TryParseExact(key, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
            SortValues.Timestamp => DateTimeOffset.TryParseExact(key, "O", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
            _ => true,
        };
        if (!readable)
            throw ViewRefused.Malformed("invalid_cursor", "'cursor' is not a cursor this API issued.", ViewRequest.CursorName);
        return new ViewPlan<T>(requested, sort, descending, limit, (key, lastId));
    }

    /// <summary>An opaque token: the sort it belongs to and the last row's key and id, base64url-encoded JSON.</summary>
    internal static class Cursor
    {
        public static string Write(string sort, string key, string id) =>
            Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new[] { sort, key, id }))
                .TrimEnd('=').Replace('+', '-').Replace('/', '_');

        public static (string Key, string Id) Read(string cursor, string sort)
        {
            string[]? parts = null;
            try
            {
                var text = cursor.Replace('-', '+').Replace('_', '/');
                text = text.PadRight(text.Length + (4 - text.Length % 4) % 4, '=');
                parts = JsonSerializer.Deserialize<string[]>(Encoding.UTF8.GetString(Convert.FromBase64String(text)));
            }
            catch (Exception ex) when (ex is FormatException or JsonException or ArgumentException)
            {
            }
            // A forged cursor could carry U+0000, which PostgreSQL refuses as a parameter: not one this API issued.
            if (parts is not [{ } s, { } key, { } id] || key.Contains('\0') || id.Contains('\0'))
                throw ViewRefused.Malformed("invalid_cursor", "'cursor' is not a cursor this API issued.", ViewRequest.CursorName);
            if (s != sort)
                throw ViewRefused.Malformed("cursor_sort_mismatch",
                    $"'cursor' belongs to sort '{s}'; ask again without a cursor to sort by '{sort}'.", ViewRequest.CursorName);
            return (key, id);
        }
    }
}

/// <summary>A checked sort, limit and cursor: pages rows by the sort key and the id, resuming after the cursor's row.</summary>
public sealed record ViewPlan<T>(string Requested, SortKey<T> Sort, bool Descending, int Limit, (string Key, string Id)? After)
    where T : notnull
{
    /// <summary>
    /// Sorts the query by the key and the id, resumes after the cursor's row, and reads one row more
    /// than the limit to know whether another page follows.
    /// </summary>
    public async Task<ViewPage<T>> PageAsync(IQueryable<T> query, Func<T, string> id, CancellationToken ct, Expression<Func<T, T>>? select = null)
    {
        var rows = await Apply(query, select).ToListAsync(ct);
        var items = rows.Take(Limit).ToList();
        var next = rows.Count > Limit ? ViewQuery.Cursor.Write(Requested, Sort.Value(items[^1]), id(items[^1])) : null;
        return new ViewPage<T>(items, next);
    }

    /// <summary>The query of one page: after the cursor's row, by the key and the id, one row more than the limit.</summary>
    public IQueryable<T> Apply(IQueryable<T> query, Expression<Func<T, T>>? select = null)
    {
        if (After is var (key, lastId))
        {
            var comparison = Descending ? "<" : ">";
            query = query.Where(x => x.MatchesSql($"({Sort.Sql}, id) {comparison} (cast(? as {Sort.SqlType}), ?)", key, lastId));
        }
        var direction = Descending ? "desc" : "asc";
        var page = query.OrderBySql($"{Sort.Sql} {direction}").ThenBySql($"id {direction}").Take(Limit + 1);
        return select is null ? page : page.Select(select);
    }

    /// <summary>
    /// Pages rows held in memory — a series with rows for what nothing was stored for — by the same
    /// sort, limit and cursor rules as <see cref="PageAsync"/>. Its sort keys are text, compared ordinally.
    /// </summary>
    public ViewPage<T> PageInMemory(IEnumerable<T> rows, Func<T, string> id)
    {
        if (Sort.SqlType != SortValues.Text)
            throw new InvalidOperationException("Rows paged in memory sort by text keys.");
        int Compare((string Key, string Id) a, (string Key, string Id) b)
        {
            var byKey = string.CompareOrdinal(a.Key, b.Key);
            var order = byKey != 0 ? byKey : string.CompareOrdinal(a.Id, b.Id);
            return Descending ? -order : order;
        }
        var ordered = rows.Select(r => (Row: r, At: (Key: Sort.Value(r), Id: id(r))))
            .Where(r => After is not { } cursor || Compare(r.At, cursor) > 0)
            .ToList();
        ordered.Sort((a, b) => Compare(a.At, b.At));
        var items = ordered.Take(Limit).Select(r => r.Row).ToList();
        var next = ordered.Count > Limit ? ViewQuery.Cursor.Write(Requested, Sort.Value(items[^1]), id(items[^1])) : null;
        return new ViewPage<T>(items, next);
    }
}

/// <summary>A view request checked whole (filters, sort, limit, cursor), ready to be read.</summary>
public sealed class CheckedView<T>(IReadOnlyList<Expression<Func<T, bool>>> filters, ViewPlan<T> plan, Func<T, string> id,
    Expression<Func<T, T>>? select = null)
    where T : notnull
{
    public ViewPlan<T> Plan => plan;

    public Task<ViewPage<T>> PageAsync(IQuerySession session, CancellationToken ct) => plan.PageAsync(Filtered(session), id, ct, select);

    /// <summary>The query a page runs, unexecuted: what a test explains to see which index it reads.</summary>
    public IQueryable<T> Query(IQuerySession session) => plan.Apply(Filtered(session), select);

    private IQueryable<T> Filtered(IQuerySession session)
    {
        var query = session.Query<T>().AsQueryable();
        foreach (var filter in filters) query = query.Where(filter);
        return query;
    }
}
