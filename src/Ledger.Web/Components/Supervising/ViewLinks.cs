using System.Text;
using Ledger.Contracts;
using Ledger.Projections.Querying;
using Ledger.Web.Resources;
using Microsoft.Extensions.Localization;

namespace Ledger.Web.Components.Supervising;

/// <summary>
/// The supervisors' list pages ask the views exactly as the API does: their GET forms' fields are the
/// API's query parameters, turned into the same <see cref="ViewRequest"/>, and their links carry them on.
/// </summary>
internal static class ViewLinks
{
    /// <summary>The filters given (blank ones left out) with the paging parameters.</summary>
    public static ViewRequest Request(IEnumerable<(string Name, string? Value)> filters, string? sort, string? cursor, string? limit) =>
        new(filters.Where(f => !string.IsNullOrEmpty(f.Value)).ToDictionary(f => f.Name, f => f.Value!, StringComparer.Ordinal), sort, cursor, limit);

    /// <summary>A link to <paramref name="path"/> with the parameters that have a value, in the order given.</summary>
    public static string Href(string path, IEnumerable<(string Name, string? Value)> parameters)
    {
        var query = new StringBuilder();
        foreach (var (name, value) in parameters)
        {
            if (string.IsNullOrEmpty(value)) continue;
            query.Append(query.Length == 0 ? '?' : '&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }
        return path + query;
    }

    /// <summary>
    /// A refusal in the page's words, naming the field as the form labels it; never the code. The
    /// paging fields (cursor) have no input of their own: their refusal is shown above the list.
    /// </summary>
    public static string Message(IStringLocalizer<SupervisingText> words, ViewRefused refused) =>
        words[$"Problem.{refused.Code}", words[$"Filter.{refused.Field}"]];

    /// <summary>A colour as the stylesheet names it (tile and badge classes).</summary>
    public static string Css(Rag rag) => rag switch
    {
        Rag.Green => "green",
        Rag.Amber => "amber",
        Rag.Red => "red",
        _ => "plain",
    };

    /// <summary>A band as a badge colour: 优秀 green … 不合格 red.</summary>
    public static string Css(Contracts.Band band) => band switch
    {
        Contracts.Band.Excellent => "green",
        Contracts.Band.Good => "amber-green",
        Contracts.Band.Pass => "amber",
        _ => "red",
    };
}
