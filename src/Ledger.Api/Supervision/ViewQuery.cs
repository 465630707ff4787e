using System.Globalization;
using System.Text;
using System.Text.Json;
using Ledger.Api.Http;
using Ledger.Infrastructure.Supervision;
using Marten;
using Marten.Linq.MatchesSql;

namespace Ledger.Api.Supervision;

/// <summary>One page of a supervision view: the items, the cursor for the next page (null on the last), and how fresh the view is.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Next, Freshness Freshness);

/// <summary>
/// How a view can be sorted: a SQL expression of type <see cref="SqlType"/> over the document's row —
/// its indexed column where the document has one, so that a page is read in index order — and the
/// same value as <see cref="Value"/> reads it from a loaded document. The document id breaks ties, in the same direction, so
/// that (key, id) orders every row exactly once and a keyset cursor can resume after any row.
/// </summary>
public sealed record SortKey<T>(string Name, string Sql, string SqlType, Func<T, string> Value);

/// <summary>
/// The query string of a supervision view, checked before anything is read: only the view's own
/// parameters, a known sort, a limit of 1–200, and a cursor this API issued for the same sort. Each
/// refusal is problem+json naming the parameter at fault.
/// </summary>
public sealed class ViewQuery
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;
    private static readonly string[] Paging = ["sort", "limit", "cursor"];

    private readonly IQueryCollection _query;

    private ViewQuery(IQueryCollection query) => _query = query;

    public static ViewQuery From(HttpContext http, params string[] filters)
    {
        foreach (var (name, values) in http.Request.Query)
        {
            if (!filters.Contains(name, StringComparer.Ordinal) && !Paging.Contains(name, StringComparer.Ordinal))
                throw new RequestRejected(StatusCodes.Status400BadRequest, "unknown_filter",
                    $"'{name}' is not a filter of this view; it takes {string.Join(", ", filters.Concat(Paging))}.", name);
            if (values.Count > 1)
                throw new RequestRejected(StatusCodes.Status400BadRequest, "repeated_filter", $"'{name}' is given more than once.", name);
        }
        return new ViewQuery(http.Request.Query);
    }

    public string? Text(string name)
    {
        var value = _query[name].ToString();
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (value.Length > 100)
            throw new RequestRejected(StatusCodes.Status400BadRequest, "invalid_filter", $"'{name}' is longer than 100 characters.", name);
        return value.Trim();
    }

    /// <summary>An enum by its exact name (as the views show it); anything else names the allowed values.</summary>
    public TEnum? Enum<TEnum>(string name) where TEnum : struct, Enum
    {
        var value = Text(name);
        if (value is null) return null;
        if (System.Enum.GetNames<TEnum>().Contains(value, StringComparer.Ordinal))
            return System.Enum.Parse<TEnum>(value);
        throw new RequestRejected(StatusCodes.Status422UnprocessableEntity, "invalid_filter_value",
            $"'{name}' must be one of {string.Join(", ", System.Enum.GetNames<TEnum>())}.", name);
    }

    public string? OneOf(string name, params string[] allowed)
    {
        var value = Text(name);
        if (value is null || allowed.Contains(value, StringComparer.Ordinal)) return value;
        throw new RequestRejected(StatusCodes.Status422UnprocessableEntity, "invalid_filter_value",
            $"'{name}' must be one of {string.Join(", ", allowed)}.", name);
    }

    public bool? Flag(string name) => Text(name)?.ToLowerInvariant() switch
    {
        null => null,
        "true" => true,
        "false" => false,
        _ => throw new RequestRejected(StatusCodes.Status400BadRequest, "invalid_flag", $"'{name}' must be true or false.", name),
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
        throw new RequestRejected(StatusCodes.Status400BadRequest, "invalid_period",
            $"'{name}' must be a year (2024), a quarter (2024-Q2) or a month (2024-06).", name);
    }

    public int Limit()
    {
        var raw = Text("limit");
        if (raw is null) return DefaultLimit;
        if (!int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var limit))
            throw new RequestRejected(StatusCodes.Status400BadRequest, "invalid_limit", $"'limit' must be a whole number from 1 to {MaxLimit}.", "limit");
        if (limit is < 1 or > MaxLimit)
            throw new RequestRejected(StatusCodes.Status422UnprocessableEntity, "limit_out_of_range",
                $"'limit' must be between 1 and {MaxLimit}.", "limit");
        return limit;
    }

    /// <summary>
    /// Sorts the query by the requested key ("-key" descending) and the id, resumes after the cursor's
    /// row, and reads one row more than the limit to know whether another page follows.
    /// </summary>
    public async Task<Page<TOut>> PageAsync<T, TOut>(
        IQueryable<T> query, IReadOnlyList<SortKey<T>> sorts, Func<T, string> id, Freshness freshness,
        Func<IReadOnlyList<T>, Task<IReadOnlyList<TOut>>> shape, CancellationToken ct)
        where T : notnull
    {
        var (requested, sort, descending, limit, after) = Plan(sorts);
        if (after is var (key, lastId))
        {
            var comparison = descending ? "<" : ">";
            query = query.Where(x => x.MatchesSql($"({sort.Sql}, id) {comparison} (cast(? as {sort.SqlType}), ?)", key, lastId));
        }
        var direction = descending ? "desc" : "asc";
        var rows = await query.OrderBySql($"{sort.Sql} {direction}").ThenBySql($"id {direction}").Take(limit + 1).ToListAsync(ct);
        var items = rows.Take(limit).ToList();
        var next = rows.Count > limit ? Cursor.Write(requested, sort.Value(items[^1]), id(items[^1])) : null;
        return new Page<TOut>(await shape(items), next, freshness);
    }

    /// <summary>
    /// Pages rows held in memory — a series with rows for what nothing was stored for — by the same
    /// sort, limit and cursor rules as <see cref="PageAsync"/>. Its sort keys are text, compared ordinally.
    /// </summary>
    public async Task<Page<TOut>> PageInMemoryAsync<T, TOut>(
        IEnumerable<T> rows, IReadOnlyList<SortKey<T>> sorts, Func<T, string> id, Freshness freshness,
        Func<IReadOnlyList<T>, Task<IReadOnlyList<TOut>>> shape)
        where T : notnull
    {
        if (sorts.Any(s => s.SqlType != "text"))
            throw new ArgumentException("Rows paged in memory sort by text keys.", nameof(sorts));
        var (requested, sort, descending, limit, after) = Plan(sorts);
        int Compare((string Key, string Id) a, (string Key, string Id) b)
        {
            var byKey = string.CompareOrdinal(a.Key, b.Key);
            var order = byKey != 0 ? byKey : string.CompareOrdinal(a.Id, b.Id);
            return descending ? -order : order;
        }
        var ordered = rows.Select(r => (Row: r, At: (Key: sort.Value(r), Id: id(r))))
            .Where(r => after is not { } cursor || Compare(r.At, cursor) > 0)
            .ToList();
        ordered.Sort((a, b) => Compare(a.At, b.At));
        var items = ordered.Take(limit).Select(r => r.Row).ToList();
        var next = ordered.Count > limit ? Cursor.Write(requested, sort.Value(items[^1]), id(items[^1])) : null;
        return new Page<TOut>(await shape(items), next, freshness);
    }

    /// <summary>The requested sort ("-key" descending), the limit, and the row the cursor resumes after.</summary>
    private (string Requested, SortKey<T> Sort, bool Descending, int Limit, (string Key, string Id)? After) Plan<T>(IReadOnlyList<SortKey<T>> sorts)
    {
        var requested = Text("sort") ?? sorts[0].Name;
        var descending = requested.StartsWith('-');
        var name = descending ? requested[1..] : requested;
        var sort = sorts.FirstOrDefault(s => s.Name == name)
            ?? throw new RequestRejected(StatusCodes.Status422UnprocessableEntity, "unknown_sort",
                $"'sort' must be one of {string.Join(", ", sorts.Select(s => s.Name))}, with '-' before it for descending order.", "sort");
        var limit = Limit();
        if (Text("cursor") is not { } cursor) return (requested, sort, descending, limit, null);

        var (key, lastId) = Cursor.Read(cursor, requested);
        // A key that cannot be cast would fail in PostgreSQL: refuse it here as the bad input it is.
        var readable = sort.SqlType switch
        {
            "numeric" => decimal.TryParse(key, NumberStyles.Number, CultureInfo.InvariantCulture, out _),
            "date" => DateOnly.TryParseExact(key, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
            "timestamptz" => DateTimeOffset.TryParseExact(key, "O", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
            _ => true,
        };
        if (!readable)
            throw new RequestRejected(StatusCodes.Status400BadRequest, "invalid_cursor", "'cursor' is not a cursor this API issued.", "cursor");
        return (requested, sort, descending, limit, (key, lastId));
    }

    /// <summary>An opaque token: the sort it belongs to and the last row's key and id, base64url-encoded JSON.</summary>
    private static class Cursor
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
            if (parts is not [{ } s, { } key, { } id] || !StorableText.IsStorable(key) || !StorableText.IsStorable(id))
                throw new RequestRejected(StatusCodes.Status400BadRequest, "invalid_cursor", "'cursor' is not a cursor this API issued.", "cursor");
            if (s != sort)
                throw new RequestRejected(StatusCodes.Status400BadRequest, "cursor_sort_mismatch",
                    $"'cursor' belongs to sort '{s}'; ask again without a cursor to sort by '{sort}'.", "cursor");
            return (key, id);
        }
    }
}
