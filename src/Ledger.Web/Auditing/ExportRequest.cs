using Ledger.Infrastructure.Audit;
using Ledger.Web.Components.Audit;

namespace Ledger.Web.Auditing;

/// <summary>
/// What an auditor asks to take away from the console: the whole ledger, or one agreement, government
/// or commitment with what belongs to it (as <c>ledger export</c> selects), optionally between two days
/// (Beijing time, both included). The export page checks it field by field before it sends the
/// browser to the download; the download checks it again.
/// </summary>
public sealed record ExportRequest(ExportScope Scope, string? Id, DateOnly? From, DateOnly? To)
{
    /// <summary>The refusal of one field: its name on the form and the key of its message.</summary>
    public sealed record Refusal(string Field, string Problem);

    /// <summary>The selection the exporter takes: days become the first and last instant they cover.</summary>
    public ExportSelection Selection(DateTimeOffset now) =>
        new(Scope, Id, From is { } f ? AuditDates.StartOf(f) : null, To is { } t ? AuditDates.EndOf(t, now) : null);

    /// <summary>The download's query string, the same fields the form had.</summary>
    public string Query =>
        string.Join('&', new[] { ("scope", Scope.ToString().ToLowerInvariant()), ("id", Id), ("from", Day(From)), ("to", Day(To)) }
            .Where(p => p.Item2 is not null).Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2!)}"));

    /// <summary>A name for the file that says what it holds and when it was taken.</summary>
    public string FileName(DateTimeOffset now)
    {
        var what = Scope.ToString().ToLowerInvariant()
            + (Id is null ? "" : "-" + new string([.. Id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '_')]));
        return $"ledger-audit-{what}-{now.ToUniversalTime():yyyyMMdd'T'HHmmss'Z'}.zip";
    }

    /// <summary>Reads the fields as sent; <paramref name="refusal"/> names the first one at fault.</summary>
    public static ExportRequest? Read(string? scope, string? id, string? from, string? to, DateTimeOffset now, out Refusal? refusal)
    {
        refusal = null;
        ExportScope? chosen = scope?.Trim().ToLowerInvariant() switch
        {
            "all" => ExportScope.All,
            "agreement" => ExportScope.Agreement,
            "government" => ExportScope.Government,
            "commitment" => ExportScope.Commitment,
            _ => null,
        };
        if (chosen is not { } s)
        {
            refusal = new Refusal("subject", "Export.Problem.subject");
            return null;
        }
        id = string.IsNullOrWhiteSpace(id) ? null : id.Trim();
        if ((s == ExportScope.All) != (id is null) || id is { Length: > 100 })
        {
            refusal = new Refusal("subject", "Export.Problem.subject");
            return null;
        }
        var today = AuditDates.Today(now);
        DateOnly? ReadDay(string? raw, string field, ref Refusal? refused)
        {
            if (string.IsNullOrWhiteSpace(raw) || refused is not null) return null;
            if (AuditDates.Parse(raw) is not { } day) refused = new Refusal(field, "Error.Date");
            else if (day > today) refused = new Refusal(field, "Problem.time_in_future");
            else return day;
            return null;
        }
        var start = ReadDay(from, "from", ref refusal);
        var end = ReadDay(to, "to", ref refusal);
        if (refusal is null && start is { } a && end is { } b && b < a) refusal = new Refusal("to", "Export.Problem.range");
        return refusal is null ? new ExportRequest(s, id, start, end) : null;
    }

    private static string? Day(DateOnly? day) => day is { } d ? AuditDates.Iso(d) : null;
}
