using Ledger.Infrastructure.Daemon;
using Ledger.Projections.Querying;

namespace Ledger.Api.Supervision;

/// <summary>One page of a list (a supervision view or one of the registry's lists): the items, the cursor for the next page (null on the last), and how fresh the list is.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Next, Freshness Freshness)
{
    public static Page<T> Of(ViewPage<T> page, Freshness freshness) => new(page.Items, page.Next, freshness);
}

/// <summary>
/// A list's query string as a <see cref="ViewRequest"/>: only the view's own parameters, each once,
/// checked in the order sent. Every refusal (<see cref="ViewRefused"/>) is answered as problem+json
/// naming the parameter at fault (ProblemMapping).
/// </summary>
public static class ViewRequests
{
    public static ViewRequest From(HttpContext http, IReadOnlyCollection<string> filters) =>
        ViewRequest.FromParameters(
            http.Request.Query.Select(p => KeyValuePair.Create(p.Key, (IReadOnlyList<string?>)p.Value.ToArray())), filters);
}
